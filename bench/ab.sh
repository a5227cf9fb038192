#!/usr/bin/env bash
# bench/ab.sh REV [ab-core options]: the core at REV (A) against this working tree's (B), in one process,
# interleaved in chunks (bench/ab-core.ts: its per-chunk median B/A is the figure to read; above 1, B is faster).
# REV is checked out into a scratch worktree beside this one and removed afterwards.
set -euo pipefail
rev=${1:?usage: bench/ab.sh REV [--workload W] [--rounds N] [--chunk N] [--ops N]}
shift
here=$(cd "$(dirname "$0")/.." && pwd)
there="$here/../ab-$(git -C "$here" rev-parse --short "$rev")"
trap 'git -C "$here" worktree remove --force "$there" >/dev/null 2>&1 || true' EXIT
git -C "$here" worktree add -q --detach "$there" "$rev"
cd "$here"
node_modules/node/bin/node --expose-gc --max-old-space-size=8192 bench/ab-core.ts "$there" "$here" "$@"
