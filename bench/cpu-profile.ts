// npm run bench:profile -- FILE.cpuprofile... [--top N] [--callers NAME]
//
// Where a V8 CPU profile (node --cpu-prof, or bench:e2e --profile DIR) spent its time: self time by package (or
// our own top folder) and the top functions by self time, each as a share of the samples. --callers NAME adds
// the call stacks (innermost 14 frames) that the self time of functions named NAME came from.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' }, callers: { type: 'string' } },
  allowPositionals: true,
});
if (positionals.length === 0) {
  console.error('usage: npm run bench:profile -- FILE.cpuprofile... [--top N]');
  process.exit(64);
}

/** A node_modules package, our top-level folder, node's internals, or what V8 names (GC, idle, program). */
function ownerOf(url: string, functionName: string): string {
  if (url === '') return `(${functionName || 'anonymous'})`.replace(/^\(\((.*)\)\)$/, '($1)');
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node:internal';
  const ours = /\/(edge|matcher|db|observability|bench|admin|deploy)\//.exec(url);
  return ours ? `${ours[1]}/` : url;
}

const top = Number(values.top);
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfTime = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    selfTime.set(profile.samples[i]!, (selfTime.get(profile.samples[i]!) ?? 0) + dt);
    total += dt;
  }
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, time] of selfTime) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const owner = ownerOf(url, functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + time);
    const where =
      url === ''
        ? ''
        : ` ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(?=(edge|matcher|db|observability|bench)\/)/, '')}:${lineNumber + 1}`;
    const name = `${functionName || '(anonymous)'}${where}`;
    functions.set(name, (functions.get(name) ?? 0) + time);
  }
  if (values.callers !== undefined) {
    const parentOf = new Map<number, number>();
    for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
    const stacks = new Map<string, number>();
    for (const [id, time] of selfTime) {
      if (byId.get(id)!.callFrame.functionName !== values.callers) continue;
      const frames: string[] = [];
      for (
        let at: number | undefined = parentOf.get(id);
        at !== undefined && frames.length < 14;
        at = parentOf.get(at)
      ) {
        const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
        frames.push(
          `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*\/(?=(edge|matcher|db|observability)\/)/, '')}:${lineNumber + 1}`,
        );
      }
      const key = frames.join('\n      < ');
      stacks.set(key, (stacks.get(key) ?? 0) + time);
    }
    console.log(`\n  callers of ${values.callers}`);
    for (const [stack, time] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
      console.log(`  ${((time / total) * 100).toFixed(1).padStart(5)} %  ${stack}`);
    }
  }
  const share = (t: number) => `${((t / total) * 100).toFixed(1).padStart(5)} %`;
  const idle = owners.get('(idle)') ?? 0;
  console.log(
    `\n${file}: ${(total / 1e6).toFixed(1)} s sampled, ${((1 - idle / total) * 100).toFixed(0)} % busy`,
  );
  console.log('\n  self time by owner');
  for (const [owner, time] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${share(time)}  ${owner}`);
  }
  console.log('\n  self time by function');
  for (const [name, time] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${share(time)}  ${name}`);
  }
}
