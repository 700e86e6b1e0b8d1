#!/usr/bin/env bash
# Soak `kept serve --demo` (the daemon with its built-in stand-in tracker): for MINUTES, a
# commit every 2 s in the watched plan, webhook deliveries every second (unsigned, refused),
# an issue closed in the tracker every 30 s, and the status, feed and metrics read every
# second. The daemon's resident memory is sampled every 10 s; at the end the script checks
# that every commit was published, nothing failed, and memory stayed bounded.
#
#   benches/soak.sh [MINUTES=30]      (not run in CI; results go in BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cargo build --release --quiet --bin kept
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null KEPT_TODAY=2026-11-26
./target/release/kept serve --demo --listen 127.0.0.1:0 --dir "$work/demo" > "$work/out" 2> "$work/log" &
pid=$!
until grep -q "serving the demo" "$work/out" 2>/dev/null; do sleep 0.1; done
url=$(head -1 "$work/out" | awk '{print $NF}'); url=${url%/}
plan="$work/demo/plan"
until curl -fsS "$url/api/v1/status" | grep -q '"ok":true'; do sleep 0.2; done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $minutes minutes against $url"
echo "seconds,rss_kb" > "$work/rss.csv"
end=$(( $(date +%s) + minutes * 60 ))
start=$(date +%s)
commits=0
closes=0
tick=0
file="$plan/commitments/UAYAB0003/commitment.toml"
while [ "$(date +%s)" -lt "$end" ]; do
  tick=$((tick + 1))
  if [ $((tick % 2)) -eq 0 ]; then
    value=$(( 10 + tick % 80 ))
    sed -i "s/^progress = .*/progress = $value/" "$file"
    git -C "$plan" -c user.name="Olena Koval" -c user.email=o.koval@yablunivka.example commit -qam "soak: progress $value" && commits=$((commits + 1))
  fi
  curl -s -o /dev/null -X POST -H "X-GitHub-Event: push" -H "X-GitHub-Delivery: soak-$tick" \
    -d '{"repository":{"full_name":"yablunivka/open-gov-plan"}}' "$url/hooks/github" || true
  if [ $((tick % 30)) -eq 0 ]; then
    n=$(curl -s "$url/demo/github/repos/yablunivka/open-gov-plan/issues?state=open&per_page=100" |
      python3 -c 'import json,sys; print(next((i["number"] for i in json.load(sys.stdin) if "status: in-progress" in [l["name"] for l in i["labels"]]), ""))')
    if [ -n "$n" ]; then
      curl -s -o /dev/null -X POST "$url/demo/github/close/$n?login=okoval-yab" && closes=$((closes + 1))
    fi
  fi
  curl -s -o /dev/null "$url/api/v1/status"; curl -s -o /dev/null "$url/feed.atom"; curl -s -o /dev/null "$url/metrics"
  if [ $((tick % 10)) -eq 0 ]; then
    echo "$(( $(date +%s) - start )),$(awk '/VmRSS/{print $2}' /proc/$pid/status)" >> "$work/rss.csv"
  fi
  sleep 1
done
sleep 5
head=$(git -C "$plan" rev-parse HEAD)
status=$(curl -s "$url/api/v1/status")
echo "commits: $commits, issues closed in the tracker: $closes"
echo "$status" | python3 -c '
import json, sys
p = json.load(sys.stdin)["plans"][0]
print("valid:", p["valid"], " published == HEAD:", p["published"] == sys.argv[1], " last sync ok:", p["sync"]["ok"])
' "$head"
python3 - "$work/rss.csv" <<'EOF'
import csv, sys
rows = [(int(r["seconds"]), int(r["rss_kb"])) for r in csv.DictReader(open(sys.argv[1]))]
early = [kb for s, kb in rows if s >= 60][:6] or [rows[0][1]]
late = [kb for s, kb in rows][-6:]
print(f"RSS samples: {len(rows)}; first {rows[0][1]//1024} MB, max {max(kb for _, kb in rows)//1024} MB, last {rows[-1][1]//1024} MB")
print(f"minute 1 mean {sum(early)//len(early)//1024} MB, last minute mean {sum(late)//len(late)//1024} MB")
EOF
grep -c "published" "$work/log" | xargs echo "publishes logged:"
grep -cE "ERROR|panicked" "$work/log" | xargs echo "errors logged:" || true
kill -TERM $pid; wait $pid && echo "stopped cleanly on SIGTERM"
