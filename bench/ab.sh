#!/usr/bin/env bash
# bench/ab.sh REV [ROUNDS] [WORKLOAD]: bench:engine on REV (A) and on this working tree (B), alternated ROUNDS
# times (default 4) with --no-baseline, then each workload's median and best ops/s. The machine is noisy: only
# figures taken side by side like this compare. REV is checked out into a scratch worktree beside this one (it must
# sit beside the repository, where ../shared is), with this tree's node_modules and this tree's bench/engine.ts,
# so both sides run the same harness.
set -euo pipefail
rev=${1:?usage: bench/ab.sh REV [ROUNDS] [WORKLOAD]}
rounds=${2:-4}
workload=${3:-}
here=$(cd "$(dirname "$0")/.." && pwd)
there="$here/../ab-$(git -C "$here" rev-parse --short "$rev")"
trap 'git -C "$here" worktree remove --force "$there" >/dev/null 2>&1 || true' EXIT
git -C "$here" worktree add -q --detach "$there" "$rev"
ln -s "$here/node_modules" "$there/node_modules"
cp "$here/bench/engine.ts" "$there/bench/engine.ts"
args=(--no-baseline --json)
if [ -n "$workload" ]; then args+=(--workload "$workload"); fi
out=$(mktemp -d)
for _ in $(seq "$rounds"); do
  (cd "$there" && node_modules/node/bin/node --expose-gc --max-old-space-size=8192 bench/engine.ts "${args[@]}") >>"$out/A"
  (cd "$here" && node_modules/node/bin/node --expose-gc --max-old-space-size=8192 bench/engine.ts "${args[@]}") >>"$out/B"
done
node_modules/node/bin/node -e '
  const fs = require("node:fs");
  for (const [side, name] of [["A", process.argv[1]], ["B", "working tree"]]) {
    const by = {};
    for (const line of fs.readFileSync(process.argv[2] + "/" + side, "utf8").trim().split("\n")) {
      const r = JSON.parse(line);
      (by[r.workload] ??= []).push(r.opsPerSec);
    }
    const parts = Object.entries(by).map(([w, v]) => {
      v.sort((a, b) => a - b);
      const median = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
      return `${w} median ${Math.round(median)} best ${v.at(-1)}`;
    });
    console.log(`${side} (${name}): ${parts.join("   ")}`);
  }
' "$rev" "$out"
rm -rf "$out"
