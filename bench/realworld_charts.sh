#!/usr/bin/env bash
# Real-world charts, gitops against Helm's own SDK in the same run (release build; needs
# pip install helm-python-sdk). Charts stay outside this repository: pass their folders, each
# with its dependencies vendored (as `helm dependency build` or scripts/helm-compare leave them).
#   bench/realworld_charts.sh CHART_DIR[:VALUES_FILE]...
# Per chart: renders per second in one process (gitops-bench chart / bench/helm_render.py, the
# chart loaded once); a whole `gitops chart template` process (best of 10) against Helm's in-process
# load and render of the same chart (best of 5) and against Helm's in-process load and install
# dry-run, what `helm template` runs (best of 3; the Python interpreter's start-up not counted);
# peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product gitops 2>&1 | tail -1 >&2
swift build -c release --product gitops-bench 2>&1 | tail -1 >&2
empty=$(mktemp)
trap 'rm -f "$empty"' EXIT
printf '| chart | templates | gitops renders/s | Helm SDK renders/s | ratio | `gitops chart template` process | Helm SDK load+render | ratio | Helm SDK load+install dry-run | ratio | gitops peak RSS | Helm SDK peak RSS |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
for spec in "$@"; do
  chart="${spec%%:*}"
  values="${spec#*:}"; [ "$values" = "$spec" ] && values="$empty"
  name=$(basename "$chart")
  ours=$(.build/release/gitops-bench chart "$chart" "$values" 200)
  helm=$(python3 bench/helm_render.py "$chart" "$values" 50)
  ours_rate=$(echo "$ours" | awk '{print $4}'); helm_rate=$(echo "$helm" | awk '{print $4}')
  templates=$(echo "$ours" | sed -E 's/.*\(([0-9]+) templates.*/\1/')
  best=$(python3 bench/process_time.py 10 .build/release/gitops chart template "$chart" -f "$values")
  rss=$( { /usr/bin/time -f "%M" .build/release/gitops chart template "$chart" -f "$values" > /dev/null; } 2>&1 | tail -1 | awk '{printf "%.0f", $1 / 1024}')
  whole=$(python3 bench/helm_load_render.py "$chart" "$values" 5)
  helm_whole=$(echo "$whole" | awk '{print $2}'); helm_rss=$(echo "$whole" | awk '{print $(NF-1)}')
  install=$(python3 bench/helm_load_install.py "$chart" "$values" 3 | awk '{print $2}')
  printf '| %s | %s | %s | %s | %.1f× | %.3f s | %.3f s | %.1f× | %.3f s | %.1f× | %s MiB | %.0f MiB |\n' "$name" "$templates" "$ours_rate" "$helm_rate" \
    "$(echo "$ours_rate / $helm_rate" | bc -l)" "$best" "$helm_whole" "$(echo "$helm_whole / $best" | bc -l)" \
    "$install" "$(echo "$install / $best" | bc -l)" "$rss" "$helm_rss"
done
