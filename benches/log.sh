#!/usr/bin/env bash
# Benchmark `kept log` (cold and warm) and `kept publish` over a long history of a large
# plan: the 1,000-commitment plan of generate_plan, then COMMITS commits by the coordinator
# (generate_history), packed as a clone would be; beside `git log -p -U0` and
# `git log --name-only` over the same history in the same run.
#
#   benches/log.sh [COMMITS] [COMMITMENTS]       (default 10000 commits, 1000 commitments)
#   KEEP=/tmp/big10k benches/log.sh             (keep the generated repository there, and
#                                                reuse it when it exists)
#
# Needs hyperfine (Debian package `hyperfine`) and GNU time (`time`).
set -euo pipefail
cd "$(dirname "$0")/.."
commits=${1:-10000}
commitments=${2:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --bin kept --example generate_plan --example generate_history
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null KEPT_TODAY=2026-11-26
repo=${KEEP:-$work/history}
if [ ! -d "$repo/.git" ]; then
  ./target/release/examples/generate_plan "$work/plan" "$commitments" 10 >/dev/null
  ./target/release/examples/generate_history "$repo" "$commits" "$work/plan" >/dev/null
  git -C "$repo" gc -q
fi
kept=$PWD/target/release/kept
cd "$repo"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "history: $(git rev-list --count HEAD) commits"
"$kept" log >/dev/null
hyperfine --warmup 1 --runs 10 -N \
  --command-name "git log --name-only" "git log --name-only" \
  --command-name "git log -p -U0" "git log -p -U0" \
  --command-name "kept log (cold: no cache)" --prepare "rm -rf .git/kept" "$kept log" \
  --export-markdown "$work/cold.md" 2>&1 | grep -vE "^\s*$|Warning|Range" || true
"$kept" log >/dev/null
hyperfine --warmup 3 --runs 30 -N \
  --command-name "git log -p -U0" "git log -p -U0" \
  --command-name "kept log (warm)" "$kept log" \
  --command-name "kept log ONE-MILESTONE (warm)" "$kept log $(ls commitments | head -1)/M2" \
  --export-markdown "$work/warm.md" 2>&1 | grep -vE "^\s*$|Warning|Range" || true
hyperfine --warmup 1 --runs 5 -N \
  --command-name "kept publish" "$kept publish --out $work/site" \
  --export-markdown "$work/publish.md" 2>&1 | grep -vE "^\s*$|Warning|Range" || true
cat "$work/cold.md" "$work/warm.md" "$work/publish.md"
rm -rf .git/kept
/usr/bin/time -f "peak RSS %M KB: kept log (cold)" "$kept" log >/dev/null 2>"$work/time"; tail -1 "$work/time"
/usr/bin/time -f "peak RSS %M KB: kept log (warm)" "$kept" log >/dev/null 2>"$work/time"; tail -1 "$work/time"
/usr/bin/time -f "peak RSS %M KB: kept publish" "$kept" publish --out "$work/site" >/dev/null 2>"$work/time"; tail -1 "$work/time"
/usr/bin/time -f "peak RSS %M KB: git log -p -U0" git log -p -U0 >/dev/null 2>"$work/time"; tail -1 "$work/time"
