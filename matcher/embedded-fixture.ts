// A process for embedded.test.ts to kill: starts the embedded matcher on a data directory, says what it
// recovered, then sends the commands it is told to strictly one at a time and prints a line per acknowledged
// reply, so that at any moment at most one command is in flight past the last line printed.
//
//   node matcher/embedded-fixture.ts <dataDir> <seed> <accounts> <mixCount>
//
// The commands are setupCommands(accounts) then commandMix(seed, mixCount, accounts), the same list on every
// start. stdout, one JSON object per line:
//   {"ready":true,"committed":"<stream id>","hash":"<stateHash>"}  after recovery, before sending anything
//   {"i":<index>,"streamId":"<id>","code":"<result code>"}         once per reply, after its commit
//   {"idle":true}                                                   every command asked for is answered
// After "ready" it reads one line from stdin, {"from":i,"to":j,"killAt":n}: send commands [i, j); with n > 0,
// SIGKILL itself when the n-th reply is about to be published (its command committed, its reply lost: the
// window a kill from outside rarely hits). It then waits; SIGTERM closes it cleanly. Logs go to stderr.

import fs from 'node:fs';
import readline from 'node:readline';
import { pino } from 'pino';
import { commandMix, setupCommands } from './command-mix.ts';
import { stateHash } from './core/index.ts';
import { type Embedded, startEmbedded } from './embedded.ts';

const [dataDir, ...numbers] = process.argv.slice(2);
const [seed, accounts, mixCount] = numbers.map(Number);
if (
  dataDir === undefined ||
  mixCount === undefined ||
  !numbers.every((n) => Number.isSafeInteger(Number(n)))
) {
  process.stderr.write('usage: embedded-fixture.ts <dataDir> <seed> <accounts> <mixCount>\n');
  process.exit(2);
}
const commands = [...setupCommands(accounts!), ...commandMix(seed!, mixCount, accounts)];

// Synchronous writes: a line is in the pipe before the next command is sent, whenever the process dies.
const say = (value: unknown) => fs.writeSync(1, `${JSON.stringify(value)}\n`);

const log = pino({ level: 'warn' }, pino.destination(2));
const embedded = await startEmbedded({ dataDir, log, client: { timeoutMs: 10_000 } });
process.on('SIGTERM', () => void embedded.close().then(() => process.exit(0)));
say({ ready: true, committed: embedded.matcher.committed, hash: stateHash(embedded.matcher.state!) });

const input = readline.createInterface({ input: process.stdin });
const order = await new Promise<string>((resolve) => input.once('line', resolve));
input.close();
const { from, to, killAt } = JSON.parse(order) as { from: number; to: number; killAt: number };
if (killAt > 0) killBeforeReply(embedded, killAt);

for (let i = from; i < to; i++) {
  const outcome = await embedded.client.send(commands[i]!);
  if (outcome.status !== 'done') {
    process.stderr.write(`command ${i}: ${JSON.stringify(outcome)}\n`);
    process.exit(1);
  }
  say({ i, streamId: outcome.reply.streamId, code: outcome.reply.result.code });
}
say({ idle: true });
setInterval(() => {}, 60_000);

/** The matcher flushes an outbox (replies, acks, market data) once its commit has returned. */
function killBeforeReply({ bus, client }: Embedded, nth: number): void {
  const flush = bus.flush.bind(bus);
  let replies = 0;
  bus.flush = async (outbox) => {
    if (outbox.messages.some((m) => m.channel === client.replyTo) && ++replies === nth) {
      process.kill(process.pid, 'SIGKILL');
    }
    return flush(outbox);
  };
}
