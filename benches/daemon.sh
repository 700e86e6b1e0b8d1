#!/usr/bin/env bash
# Benchmark `kept daemon`: commit-to-feed latency over N commits in a watched working tree
# (p50, p90, p99, max), and the daemon's peak RSS, on the template plan and on a generated
# plan of 1,000 commitments x 10 milestones.
#
#   benches/daemon.sh [COMMITS=200]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build --release --quiet --bin kept --example generate_plan --example daemon_latency
kept=$PWD/target/release/kept
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null KEPT_TODAY=2026-11-26
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"

run() { # name plan_dir commitment_file
  local name=$1 plan=$2 file=$3
  (cd "$plan" && git init -q -b main && git add -A &&
    git -c user.name=bench -c user.email=bench@example.org commit -q -m "the plan")
  cat > "$work/$name.toml" <<EOF
listen = "127.0.0.1:0"
data-dir = "$work/$name-data"
sync-interval-s = 0
[[plans]]
path = "$plan"
EOF
  "$kept" daemon --config "$work/$name.toml" > "$work/$name.out" 2> "$work/$name.log" &
  local pid=$!
  until grep -q serving "$work/$name.out" 2>/dev/null; do sleep 0.05; done
  local url
  url=$(awk '{print $NF}' "$work/$name.out" | head -1); url=${url%/}
  until curl -fsS "$url/api/v1/status" | grep -q '"published":"'; do sleep 0.1; done
  echo "== $name: $n commits"
  ./target/release/examples/daemon_latency "$plan" "$url" "$n" "$file"
  echo "peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$pid/status), RSS at the end: $(awk '/VmRSS/{print $2, $3}' /proc/$pid/status)"
  kill -TERM $pid
  wait $pid || true
}

mkdir -p "$work/template"
cp -r template-repo/. "$work/template/"
run template "$work/template" commitments/UAYAB0001/commitment.toml

./target/release/examples/generate_plan "$work/big" 1000 10 > /dev/null
first=$(cd "$work/big/commitments" && for d in *; do echo "$d"; break; done)
run big "$work/big" "commitments/$first/commitment.toml"
