#!/usr/bin/env bash
# kustomize overlays: gitops against `kubectl kustomize` in the same run (release build).
#   bench/kustomize_overlays.sh [OVERLAYS] [WORK_DIR]     (default 50 overlays in a temporary folder)
# Generates one base of ~30 objects and OVERLAYS overlays (bench/generate_kustomize_overlays.py:
# prefixes, namespaces, labels, merged and replaced generators, images, replicas, a strategic merge
# and a JSON patch each), then times:
#   - every overlay built in one gitops process (gitops-bench kustomize, in-process, output written),
#   - one `gitops kustomize build` process per overlay,
#   - one `kubectl kustomize` process per overlay,
# and checks that gitops' bytes equal kubectl's for every overlay.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-50}
work=${2:-$(mktemp -d)}
swift build -c release --product gitops 2>&1 | tail -1 >&2
swift build -c release --product gitops-bench 2>&1 | tail -1 >&2
rm -rf "$work/repo"
python3 bench/generate_kustomize_overlays.py "$work/repo" "$count" >&2
overlays=$(cd "$work/repo" && ls -d overlays/* | sort)
gitops=$PWD/.build/release/gitops
bench=$PWD/.build/release/gitops-bench
now() { date +%s.%N; }

inproc=$("$bench" kustomize "$work/repo" $overlays | awk '{print $2}')
start=$(now)
for o in $overlays; do "$gitops" kustomize build "$work/repo/$o" > "$work/repo/$o/.gitops-process.yaml"; done
ours=$(echo "$(now) - $start" | bc -l)
start=$(now)
for o in $overlays; do kubectl kustomize "$work/repo/$o" > "$work/repo/$o/.kubectl.yaml" 2>/dev/null; done
theirs=$(echo "$(now) - $start" | bc -l)
different=0
for o in $overlays; do
  cmp -s "$work/repo/$o/.kubectl.yaml" "$work/repo/$o/.gitops-process.yaml" || { echo "differs: $o" >&2; different=$((different + 1)); }
  cmp -s "$work/repo/$o/.kubectl.yaml" "$work/repo/$o/.gitops.yaml" || { echo "differs (in-process): $o" >&2; different=$((different + 1)); }
done
rss=$( { /usr/bin/time -f "%M" "$gitops" kustomize build "$work/repo/overlays/overlay-00" > /dev/null; } 2>&1 | tail -1 | awk '{printf "%.0f", $1 / 1024}')
krss=$(/usr/bin/time -f "%M" -o "$work/kubectl.rss" kubectl kustomize "$work/repo/overlays/overlay-00" > /dev/null 2>&1; awk '{printf "%.0f", $1 / 1024}' "$work/kubectl.rss")
printf '| overlays | gitops, one process | gitops, a process per overlay | `kubectl kustomize` per overlay | per overlay: kubectl ÷ gitops process | kubectl ÷ gitops in one process | outputs differing | peak RSS gitops / kubectl |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- |\n'
printf '| %d | %.3f s (%.1f ms each) | %.3f s (%.1f ms each) | %.3f s (%.1f ms each) | %.1f× | %.1f× | %d | %s / %s MiB |\n' "$count" \
  "$inproc" "$(echo "$inproc * 1000 / $count" | bc -l)" "$ours" "$(echo "$ours * 1000 / $count" | bc -l)" \
  "$theirs" "$(echo "$theirs * 1000 / $count" | bc -l)" "$(echo "$theirs / $ours" | bc -l)" "$(echo "$theirs / $inproc" | bc -l)" \
  "$different" "$rss" "$krss"
