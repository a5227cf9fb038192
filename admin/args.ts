// The command line: which command it names, its arguments and options (node:util parseArgs, strict), and the
// help texts, all read from the command table in commands.ts.

import { parseArgs } from 'node:util';
import { type Command, type Input, type OptionSpec, UsageError } from './command.ts';
import { COMMANDS } from './commands.ts';

export const PROGRAM = 'npm run admin --';

/** Options every command takes. */
const GLOBAL = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface Global {
  url?: string;
  token?: string;
  json: boolean;
}

export type Parsed =
  | { kind: 'help'; text: string }
  | { kind: 'usage'; error: string; text: string }
  | { kind: 'run'; command: Command; input: Input; global: Global };

const isPrefix = (words: string[]) => COMMANDS.some((c) => `${c.name} `.startsWith(`${words.join(' ')} `));

/** The command's words (`markets create`) and the rest; only options may come before the words. */
function splitCommand(argv: readonly string[]): { words: string[]; rest: string[] } {
  const words: string[] = [];
  const rest: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--url' || token === '--token') {
      rest.push(token, ...argv.slice(i + 1, i + 2));
      i++;
    } else if (token.startsWith('-')) rest.push(token);
    else if (isPrefix([...words, token])) words.push(token);
    else break;
  }
  return { words, rest: [...rest, ...argv.slice(i)] };
}

export function parseCommandLine(argv: readonly string[]): Parsed {
  const { words, rest } = splitCommand(argv);
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  const command = COMMANDS.find((c) => c.name === words.join(' '));
  if (command === undefined) {
    const text = overview(words);
    if (wantsHelp) return { kind: 'help', text };
    const unknown = rest.find((token) => !token.startsWith('-'));
    const error =
      unknown !== undefined
        ? `unknown command: ${[...words, unknown].join(' ')}`
        : words.length > 0
          ? `${words.join(' ')}: which one?`
          : 'no command given';
    return { kind: 'usage', error, text };
  }
  if (wantsHelp) return { kind: 'help', text: help(command) };
  try {
    return { kind: 'run', command, ...parseInput(command, rest) };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { kind: 'usage', error: error.message, text: usageOf(command) };
  }
}

function parseInput(command: Command, rest: string[]): { input: Input; global: Global } {
  const specs = command.options ?? {};
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: rest,
      options: {
        ...Object.fromEntries(Object.keys(specs).map((name) => [name, { type: 'string' as const }])),
        ...GLOBAL,
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    // parseArgs explains at length how to pass a value starting with "-": its first sentence is the point.
    throw new UsageError((error as Error).message.replace(/\. .*$/s, ''));
  }
  const expected = command.args ?? [];
  if (positionals.length !== expected.length) {
    const wanted = expected.length === 0 ? 'no arguments' : expected.map((a) => `<${a}>`).join(' ');
    throw new UsageError(`${command.name} takes ${wanted}, got ${positionals.length}`);
  }
  const options: Record<string, string | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const value = (values[name] as string | undefined) ?? spec.default;
    if (value === undefined && spec.required) throw new UsageError(`--${name} is required`);
    options[name] = value;
  }
  const global: Global = { json: values.json === true };
  if (typeof values.url === 'string') global.url = values.url;
  if (typeof values.token === 'string') global.token = values.token;
  return { input: { args: positionals, options }, global };
}

const GLOBAL_HELP = `Global options:
  --url URL      the edge's base URL (default $ADMIN_URL, else http://localhost:8080)
  --token TOKEN  the admin token (default $ADMIN_TOKEN, else \${DATA_DIR:-./data}/admin-token as npm start writes it)
  --json         print the API's JSON answer exactly
  -h, --help     this help; "<command> --help" for a command's own`;

const synopsis = (c: Command) => [c.name, ...(c.args ?? []).map((a) => `<${a}>`)].join(' ');

/** The commands (those starting with `words`, if any), one line each. */
function overview(words: string[]): string {
  const shown = COMMANDS.filter((c) => `${c.name} `.startsWith(`${words.join(' ')} `) || words.length === 0);
  const width = Math.max(...shown.map((c) => synopsis(c).length));
  return [
    `Usage: ${PROGRAM} <command> [arguments] [options]`,
    '',
    'The admin CLI of the exchange, over its admin API (/admin/v1).',
    '',
    'Commands:',
    ...shown.map((c) => `  ${synopsis(c).padEnd(width)}  ${c.summary}`),
    '',
    GLOBAL_HELP,
  ].join('\n');
}

const flag = ([name, spec]: [string, OptionSpec]) => `--${name} ${spec.value}`;

function usageLine(command: Command): string {
  const specs = Object.entries(command.options ?? {});
  const required = specs.filter(([, spec]) => spec.required).map(flag);
  const optional = specs.some(([, spec]) => !spec.required) ? ['[options]'] : [];
  return `Usage: ${PROGRAM} ${[synopsis(command), ...required, ...optional].join(' ')}`;
}

/** The usage line, and where to read more: what a mistaken command line gets. */
export const usageOf = (command: Command) =>
  `${usageLine(command)}\nRun "${PROGRAM} ${command.name} --help" for more.`;

function help(command: Command): string {
  const specs = Object.entries(command.options ?? {});
  const width = Math.max(0, ...specs.map((s) => flag(s).length));
  const lines = specs.map((s) => {
    const [, spec] = s;
    const note = spec.required
      ? ' (required)'
      : spec.default === undefined
        ? ''
        : ` (default ${spec.default})`;
    return `  ${flag(s).padEnd(width)}  ${spec.description}${note}`;
  });
  return [
    usageLine(command),
    '',
    `${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.`,
    ...(lines.length === 0 ? [] : ['', 'Options:', ...lines]),
    '',
    GLOBAL_HELP,
  ].join('\n');
}
