#!/usr/bin/env bash
# gitops sync --once of a generated environment of 1,000 objects against kube-test-server: the
# first sync (everything applied) and a no-op resync (nothing differs), wall time, CPU time and
# peak memory of the gitops process. Targets: no-op resync under 1 s of CPU, under 100 MB.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/sync
rm -rf "$out" && mkdir -p "$out/repo"
swift build -c release --product gitops 2>&1 | tail -1 >&2
swift build -c release --product kube-test-server 2>&1 | tail -1 >&2
git -C "$out/repo" init -q
python3 bench/generate_environment.py "$out/repo" "${1:-1000}"
.build/release/kube-test-server --kubeconfig "$out/kubeconfig" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do [ -f "$out/kubeconfig" ] && break; sleep 0.1; done
run() {  # label: wall, user+sys CPU, peak RSS of one gitops sync --once
  /usr/bin/time -f "%e %U %S %M" -o "$out/time" .build/release/gitops sync bench --once --repo "$out/repo" \
    --kubeconfig "$out/kubeconfig" --context kube-test-server > "$out/stdout" 2>&1 || { cat "$out/stdout"; exit 1; }
  read -r wall user sys rss < "$out/time"
  printf "%-28s wall %6.2f s  cpu %6.2f s  peak %6.1f MiB  (%s)\n" "$1" "$wall" "$(echo "$user + $sys" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)" "$(tail -1 "$out/stdout")"
}
echo "## gitops sync --once, $(ls "$out/repo/environments/bench/objects" | wc -l) objects, kube-test-server"
run "first sync"
run "no-op resync"
run "no-op resync"

# The resident job: the same environment from a file:// remote, polling every 2 s with self-heal
# (each poll is a fetch and a full reconcile that finds nothing to do), for 60 s: its CPU per
# resync, its resident memory at 20 s and at 60 s (a leak would show as growth), and its peak.
git -C "$out/repo" add -A && git -C "$out/repo" -c user.name=bench -c user.email=bench@example.com commit -qm bench
.build/release/gitops sync bench --repo-url "file://$PWD/$out/repo" --branch "$(git -C "$out/repo" branch --show-current)" \
  --cache "$out/cache" --interval 2 --listen 127.0.0.1:0 --kubeconfig "$out/kubeconfig" --context kube-test-server 2> "$out/job.log" &
job=$!
trap 'kill $server $job 2>/dev/null' EXIT
sleep 20
rss20=$(awk '/VmRSS/ {print $2}' "/proc/$job/status")
sleep 40
address=$(grep -o '"address":"[^"]*"' "$out/job.log" | head -1 | cut -d'"' -f4)
syncs=$(curl -s "http://$address/metrics" | awk '/^gitops_sync_total\{.*result="Synced"/ {print $2}')
ticks=$(getconf CLK_TCK)
read -r utime stime < <(awk '{print $14, $15}' "/proc/$job/stat")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$job/status")
rss60=$(awk '/VmRSS/ {print $2}' "/proc/$job/status")
kill -TERM $job; wait $job 2>/dev/null || true
printf "%-28s %s syncs in 60 s  cpu %.2f s per sync  rss %.1f MiB at 20 s, %.1f MiB at 60 s  peak %.1f MiB\n" \
  "resident job (--interval 2)" "$syncs" "$(echo "($utime + $stime) / $ticks / $syncs" | bc -l)" \
  "$(echo "$rss20 / 1024" | bc -l)" "$(echo "$rss60 / 1024" | bc -l)" "$(echo "$hwm / 1024" | bc -l)"
