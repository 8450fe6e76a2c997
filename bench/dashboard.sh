#!/usr/bin/env bash
# The dashboard of a repository of N environments (each like this repository's production):
# how long `gitops ui` takes to read and check them all (its first answer), and how long each
# page and its JSON take once served (median and worst of 50 requests, curl's total time).
#   bench/dashboard.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-50}"
out=bench/out/preview
swift build -c release --product gitops 2>&1 | tail -1 >&2
gitops="$PWD/.build/release/gitops"
repo="$out/repo-$count"
[ -d "$repo" ] || python3 bench/generate_preview_repo.py . "$repo" "$count" >&2
log=$(mktemp)
start=$(date +%s.%N)
"$gitops" ui --repo "$repo" --listen 127.0.0.1:0 --no-cluster --refresh 1h >"$log" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
until grep -q http "$log"; do sleep 0.05; done
url=$(grep -o 'http://[^ ]*' "$log")
ready=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")
env=$(ls "$repo/environments" | head -1)
measure() {  # median and worst time of 50 GETs of $1, in ms
  for _ in $(seq 50); do curl -s -o /dev/null -w '%{time_total}\n' "$url${1#/}"; done |
    python3 -c "import sys, statistics; t = sorted(float(l) * 1000 for l in sys.stdin); print(f'{statistics.median(t):6.1f} ms median, {t[-1]:6.1f} ms worst')"
}
size() { curl -s "$url${1#/}" | wc -c; }
echo "## Dashboard: $count environments like production ($(nproc) cores)"
echo '```'
echo "gitops ui: first answer after $ready s (every environment rendered and checked)"
echo "/                         $(measure /)  ($(size /) bytes)"
echo "/environments/$env  $(measure /environments/$env)  ($(size /environments/$env) bytes)"
echo "/api/v1/environments      $(measure /api/v1/environments)  ($(size /api/v1/environments) bytes)"
echo '```'
