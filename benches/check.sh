#!/usr/bin/env bash
# Benchmark `kept check` over a generated history (the template plus COMMITS commits, each a
# valid change by the coordinator) beside `git log --name-only` and `git log -p -U0` over the
# same range in the same run.
#
#   benches/check.sh [COMMITS]
#
# Needs hyperfine (Debian package `hyperfine`) and GNU time (`time`).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --bin kept --example generate_history
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
./target/release/examples/generate_history "$work/plan" "$n" >/dev/null
git -C "$work/plan" gc -q
export KEPT_TODAY=2026-11-26
kept=$PWD/target/release/kept
cd "$work/plan"
"$kept" check . | tail -1
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
hyperfine --warmup 2 --runs 20 -N \
  --command-name "git log --name-only" "git log --name-only" \
  --command-name "git log -p -U0" "git log -p -U0" \
  --command-name "kept check" "$kept check ." \
  --export-markdown "$work/result.md" 2>&1 | grep -vE "^\s*$|Warning|Range" || true
cat "$work/result.md"
for cmd in "git log --name-only" "$kept check ."; do
  /usr/bin/time -f "peak RSS %M KB: $cmd" $cmd >/dev/null 2>"$work/time" || true
  tail -1 "$work/time" | sed "s|$kept|kept|"
done
