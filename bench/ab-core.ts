// node bench/ab-core.ts A_DIR B_DIR [--workload W] [--ops N] [--chunk N] [--rounds N] [--seed N]
//
// Two versions of the core (two checkouts of this repository) on the same workload in one process, interleaved
// in chunks of commands: A's chunk, B's chunk, then B's, A's, and so on. This machine's speed drifts by tens of
// percent over seconds (neighbours on the host); runs in separate processes, even alternated, compare poorly,
// while chunks a few milliseconds apart see the same machine. Prints each round's figures, the median over
// chunks of A's time over B's (B/A above 1: B is faster) and whether both ended in the same state (a change meant
// to keep behaviour must). bench/ab.sh REV runs this against a scratch checkout of REV.

import '../matcher/v8-tuning.ts'; // first: both cores run as the matcher does
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ExchangeState } from '../matcher/core/index.ts';
import type { Core, Packed } from './engine-flow.ts';
import { generate, WORKLOADS } from './workload.ts';

const { values, positionals } = parseArgs({
  options: {
    workload: { type: 'string' },
    ops: { type: 'string', default: '1000000' },
    chunk: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '300000' },
    seed: { type: 'string', default: '1' },
  },
  allowPositionals: true,
});
if (positionals.length !== 2) {
  console.error('usage: node bench/ab-core.ts A_DIR B_DIR [--workload W] [--ops N] [--chunk N] [--rounds N]');
  process.exit(64);
}
const ops = Number(values.ops);
const chunk = Number(values.chunk);
const rounds = Number(values.rounds);
const warmupOps = Number(values.warmup);
const seed = Number(values.seed);
for (const [name, n] of [
  ['ops', ops],
  ['chunk', chunk],
  ['rounds', rounds],
] as const) {
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer`);
}
const names = values.workload === undefined ? WORKLOADS : [values.workload];

type CoreModule = Core & { stateHash(state: ExchangeState): string };
const load = async (dir: string): Promise<CoreModule> =>
  (await import(pathToFileURL(resolve(dir, 'matcher/core/index.ts')).href)) as CoreModule;
const cores = [await load(positionals[0]!), await load(positionals[1]!)] as const;
// Each side gets its own instance of the apply loop (a module imported under another URL is another instance),
// so that neither loop's call and property sites see the other core's functions and shapes.
type FlowModule = typeof import('./engine-flow.ts');
const loops = [
  (await import(new URL('./engine-flow.ts?A', import.meta.url).href)) as FlowModule,
  (await import(new URL('./engine-flow.ts?B', import.meta.url).href)) as FlowModule,
] as const;

interface Side {
  core: CoreModule;
  loop: FlowModule;
  state: ExchangeState;
  flow: Packed;
  tally: { events: number; rejected: number };
  seconds: number;
}

function sideOf(which: 0 | 1, workload: string, n: number, flowSeed: number): Side {
  const core = cores[which];
  const loop = loops[which];
  const state = loop.setup(core);
  return {
    core,
    loop,
    state,
    flow: loop.pack(generate(workload, n, flowSeed)),
    tally: { events: 0, rejected: 0 },
    seconds: 0,
  };
}

function timed(side: Side, from: number, to: number): number {
  const seconds = side.loop.applyRange(side.core, side.state, side.flow, from, to, side.tally);
  side.seconds += seconds;
  return seconds;
}

const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
};

for (const workload of names) {
  // Warm both up on a prefix of another flow; the states stay alive (see bench/engine.ts).
  const warmed = ([0, 1] as const).map((which) => {
    const side = sideOf(which, workload, warmupOps, seed + 1);
    timed(side, 0, warmupOps);
    return side;
  });
  // Per chunk, A's time over B's on the same commands: their median is robust to a collection or a stall that
  // lands in one side's chunk.
  const paired: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const [a, b] = [sideOf(0, workload, ops, seed), sideOf(1, workload, ops, seed)];
    globalThis.gc?.();
    for (let from = 0, k = 0; from < ops; from += chunk, k++) {
      const to = Math.min(ops, from + chunk);
      const [first, second] = k % 2 === 0 ? [a, b] : [b, a];
      const t1 = timed(first, from, to);
      const t2 = timed(second, from, to);
      paired.push(k % 2 === 0 ? t1 / t2 : t2 / t1);
    }
    const same = a.core.stateHash(a.state) === b.core.stateHash(b.state) ? 'same state' : 'STATES DIFFER';
    const ratio = a.seconds / b.seconds;
    console.log(
      `${workload.padEnd(7)} round ${round + 1}: A ${Math.round(ops / a.seconds)} ops/s  B ${Math.round(ops / b.seconds)} ops/s` +
        `  B/A ${ratio.toFixed(3)}  (${same})`,
    );
  }
  console.log(
    `${workload.padEnd(7)} B/A per chunk: median ${median(paired).toFixed(3)} over ${paired.length} chunks of ${chunk}`,
  );
  void warmed.length; // read here, so that the warm-up's states stay alive through the rounds
}
