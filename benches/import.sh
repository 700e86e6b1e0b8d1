#!/usr/bin/env bash
# Benchmark `kept import ogp` on OGP's real commitment dataset (tests/fixtures/ogp, 558 rows,
# 2.5 MB) beside two floors measured in the same run: `wc -l` (read the bytes) and Python's
# csv module (read and split every row, multi-line cells included). The ratio is what counts.
#
#   benches/import.sh
#
# Uses hyperfine (Debian package `hyperfine`) when installed, else a loop timed by GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
csv=tests/fixtures/ogp/open_parliament_0703.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --bin kept
kept=./target/release/kept
export KEPT_TODAY=2026-11-26 GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
py="python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], encoding=\"utf-8\", newline=\"\"))))' $csv"
all="$kept import ogp $csv --all --out $work/all --report $work/all.json"
one="$kept import ogp $csv --commitment COT0005 --out $work/one"
if command -v hyperfine >/dev/null 2>&1; then
  # One --prepare per command: only the imports need a fresh output directory.
  hyperfine --warmup 2 --runs 15 \
    --command-name "wc -l (read the bytes)" --prepare "true" "wc -l $csv" \
    --command-name "python3 csv (read every row)" --prepare "true" "$py" \
    --command-name "kept import ogp --all (214 plans)" --prepare "rm -rf $work/all" "$all" \
    --command-name "kept import ogp --commitment COT0005" --prepare "rm -rf $work/one" "$one" \
    --export-markdown "$work/result.md" 2>&1 | grep -vE "^\s*$" || true
  cat "$work/result.md"
else
  for name in wc py all one; do
    case $name in wc) cmd="wc -l $csv" ;; py) cmd=$py ;; all) cmd=$all ;; one) cmd=$one ;; esac
    for _ in 1 2 3 4 5; do
      rm -rf "$work/all" "$work/one"
      /usr/bin/time -f "%e s $name" bash -c "$cmd" >/dev/null 2>>"$work/times" || true
    done
  done
  grep ' s ' "$work/times"
fi
rm -rf "$work/all"
/usr/bin/time -f "peak RSS %M KB: kept import ogp --all" $all >/dev/null 2>"$work/time" || true
tail -1 "$work/time"
