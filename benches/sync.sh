#!/usr/bin/env bash
# Benchmark `kept sync`: a first sync of COMMITMENTS x MILESTONES milestones to an empty
# GitHub stand-in (the test suite's, on loopback), then a sync with nothing to do; the
# requests each makes and its wall time.
#
#   benches/sync.sh [COMMITMENTS] [MILESTONES]      (default 200 x 5 = 1,000 milestones)
#
# The stand-in answers at once and writes are not spaced (KEPT_TRACKER_INTERVAL_MS=0);
# against GitHub, each write waits a second after the one before (GitHub's guidance for
# mutations), which the script adds as a projection. Needs GNU time (`time`).
set -euo pipefail
cd "$(dirname "$0")/.."
commitments=${1:-200}
milestones=${2:-5}
work=$(mktemp -d)
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cargo build --release --quiet --bin kept --example generate_plan --example github_stand_in
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null KEPT_TODAY=2026-11-26
export KEPT_TRACKER_TOKEN=bench-token KEPT_TRACKER_INTERVAL_MS=0
./target/release/examples/github_stand_in bench-token > "$work/url" &
server=$!
for _ in $(seq 50); do [ -s "$work/url" ] && break; sleep 0.1; done
url=$(cat "$work/url")
./target/release/examples/generate_plan "$work/plan" "$commitments" "$milestones" >/dev/null
sed -i "s|^url = \"https://api.github.com\"|url = \"$url\"|" "$work/plan/kept.toml"
git -C "$work/plan" init -q -b main
git -C "$work/plan" add -A
git -C "$work/plan" -c user.name="Olena Koval" -c user.email=o.koval@yablunivka.example commit -q -m "Plan"
kept=$PWD/target/release/kept
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
report() {
  python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["sync"]
s = r["stats"]
print("  milestones %d, requests %d: writes %d, conditional reads %d (%d answered 304), retries %d"
      % (len(r["outcomes"]), s["requests"], s["writes"], s["conditional"], s["not_modified"], s["retries"]))
print("  at GitHub pace (a second between writes): at least %d s" % s["writes"])
PY
}
echo "first sync:"
/usr/bin/time -f "  wall %e s, peak RSS %M KB" "$kept" sync "$work/plan" --format json > "$work/first.json"
report "$work/first.json"
echo "second sync (nothing to do):"
/usr/bin/time -f "  wall %e s, peak RSS %M KB" "$kept" sync "$work/plan" --format json > "$work/second.json"
report "$work/second.json"
