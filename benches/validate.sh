#!/usr/bin/env bash
# Benchmark `kept validate` on a generated plan (1,000 commitments x 10 milestones) beside
# its floor: a program that only reads the same TOML files and parses them with the toml
# crate into serde structs. Both run in the same session, so the ratio is what counts.
#
#   benches/validate.sh [COMMITMENTS] [MILESTONES]
#
# Needs hyperfine (Debian package `hyperfine`), GNU time (`time`) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
m=${2:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --bin kept --example generate_plan --example toml_baseline
./target/release/examples/generate_plan "$work/plan" "$n" "$m" >/dev/null
(
  cd "$work/plan"
  export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org \
    GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org GIT_AUTHOR_DATE=2026-11-20T10:00:00Z GIT_COMMITTER_DATE=2026-11-20T10:00:00Z
  git init -q -b main && git add -A && git commit -q -m "generated plan"
  git gc -q # a clone is packed; loose objects cost one file each
)
export KEPT_TODAY=2026-11-26
kept=./target/release/kept
base=./target/release/examples/toml_baseline
"$kept" validate "$work/plan" | tail -1
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "files: $(find "$work/plan" -name '*.toml' | wc -l) TOML, $(find "$work/plan" -name '*.md' | wc -l) Markdown"
hyperfine --warmup 5 --runs 50 -N \
  --command-name "toml floor (read + parse TOML)" "$base $work/plan" \
  --command-name "toml floor + read Markdown" "$base $work/plan --with-markdown" \
  --command-name "kept validate" "$kept validate $work/plan" \
  --command-name "kept validate --rev HEAD" "$kept validate --rev HEAD $work/plan" \
  --export-markdown "$work/result.md" --prepare "true" \
  2>&1 | grep -vE "^\s*$" || true
cat "$work/result.md"
# The same three again, in interleaved rounds: the ratio a drifting host disturbs least.
python3 benches/interleave.py 60 "toml floor=$base $work/plan" "kept validate=$kept validate $work/plan" \
  "kept validate --rev HEAD=$kept validate --rev HEAD $work/plan"
for cmd in "$base $work/plan" "$kept validate $work/plan" "$kept validate --rev HEAD $work/plan"; do
  /usr/bin/time -f "peak RSS %M KB: $cmd" $cmd >/dev/null 2>"$work/time" || true
  tail -1 "$work/time" | sed "s|$work/||"
done
