// `npm run admin -- <command>`: the admin CLI, composed here from the environment (ADMIN_URL, ADMIN_TOKEN,
// DATA_DIR), the command line, one call to the admin API and the answer printed. The exit code tells a script
// what happened: 0 done, 1 the API refused, 2 the API out of reach, 3 the token refused, 64 bad usage (EX_USAGE).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCommandLine, usageOf } from './args.ts';
import { UsageError } from './command.ts';
import { adminApi, ApiError, TokenRefusedError, UnreachableError } from './http.ts';

const EXIT = { ok: 0, refused: 1, unreachable: 2, tokenRefused: 3, usage: 64 } as const;

type Env = Record<string, string | undefined>;

/** ADMIN_TOKEN, else the token `npm start` generated and keeps in DATA_DIR/admin-token. */
function defaultToken(env: Env): string | undefined {
  if (env.ADMIN_TOKEN) return env.ADMIN_TOKEN;
  try {
    return readFileSync(join(env.DATA_DIR || './data', 'admin-token'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

const fail = (code: number, message: string) => {
  process.stderr.write(`${message}\n`);
  return code;
};

async function main(argv: string[], env: Env): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(`${parsed.text}\n`);
    return EXIT.ok;
  }
  if (parsed.kind === 'usage') return fail(EXIT.usage, `error: ${parsed.error}\n\n${parsed.text}`);
  const { command, input, global } = parsed;
  const usage = (message: string) => fail(EXIT.usage, `error: ${message}\n\n${usageOf(command)}`);
  const url = global.url ?? (env.ADMIN_URL || 'http://localhost:8080');
  if (!/^https?:\/\//.test(url) || !URL.canParse(url)) {
    return usage(`not an http(s) URL: ${url}`);
  }
  const token = global.token ?? defaultToken(env);
  if (token === undefined) {
    return fail(
      EXIT.tokenRefused,
      'no admin token: set ADMIN_TOKEN or pass --token (npm start keeps its token in ${DATA_DIR:-./data}/admin-token)',
    );
  }
  try {
    const request = await command.request(input);
    const answer = await adminApi({ url, token })(request.method, request.path, request.body);
    process.stdout.write(`${global.json ? answer.text : command.show(answer.data as never, input)}\n`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message);
    if (error instanceof UnreachableError) return fail(EXIT.unreachable, error.message);
    if (error instanceof TokenRefusedError) {
      return fail(EXIT.tokenRefused, `${error.message} by ${url}: check ADMIN_TOKEN or --token`);
    }
    if (error instanceof ApiError) {
      return fail(
        EXIT.refused,
        error.code === undefined ? error.message : `error ${error.code}: ${error.message}`,
      );
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2), process.env);
