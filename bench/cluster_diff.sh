#!/usr/bin/env bash
# gitops diff against a cluster (the test API server, kube-test-server) next to kubectl diff
# --server-side on the same objects: this repository's production environment, and a generated
# environment of 1,000 objects with 10 changed. Wall time best of 5, peak memory of one run.
# Usage: bench/cluster_diff.sh   (needs kubectl on PATH; builds release binaries)
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/cluster
rm -rf "$out" && mkdir -p "$out"
swift build -c release --product gitops 2>&1 | tail -1 >&2
swift build -c release --product kube-test-server 2>&1 | tail -1 >&2
gitops=.build/release/gitops
.build/release/kube-test-server --kubeconfig "$out/kubeconfig" 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do [ -f "$out/kubeconfig" ] && break; sleep 0.1; done
export KUBECONFIG="$out/kubeconfig"
apply() { kubectl apply --server-side --validate=false "$@" >/dev/null; }

best() {  # best wall time of 5 runs of "$@" (exit 1 = differences is fine)
  local best="" t start end
  for _ in 1 2 3 4 5; do
    start=$(date +%s.%N); "$@" >/dev/null 2>&1 || [ $? -eq 1 ]; end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  echo "$best"
}
peak() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
report() {  # name, command...
  local name=$1; shift
  local status=0
  "$@" >/dev/null 2>"$out/stderr" || status=$?
  if [ "$status" -gt 1 ]; then echo "$name: FAILED (exit $status): $(head -3 "$out/stderr")"; return; fi
  printf "%-44s %6.3f s  %6.1f MiB\n" "$name" "$(best "$@")" "$(echo "$(peak "$@") / 1024" | bc -l)"
}
label() {  # rendered JSON array on stdin, environment → a labelled List on stdout
  python3 -c '
import json, sys
items = json.load(sys.stdin)
for o in items: o.setdefault("metadata", {}).setdefault("labels", {})["gitops/environment"] = sys.argv[1]
json.dump({"apiVersion": "v1", "kind": "List", "items": items}, sys.stdout)' "$1"
}

# This repository's production environment.
apply -f crds/monitoring.coreos.com.yaml
$gitops render production --output json | label production > "$out/production.json"
apply --field-manager gitops -f "$out/production.json"
count=$(python3 -c "import json; print(len(json.load(open('$out/production.json'))['items']))")
echo "## production ($count objects, no differences)"
report "gitops diff production (server-side dry run)" $gitops diff production --context kube-test-server
report "gitops diff production --no-server-side" $gitops diff production --context kube-test-server --no-server-side
report "kubectl diff --server-side" kubectl diff --server-side --field-manager gitops -f "$out/production.json"

# A generated environment of 1,000 objects; 10 of them changed in Git after the apply.
repo="$out/repo"
mkdir -p "$repo" && git -C "$repo" init -q
python3 bench/generate_environment.py "$repo" 1000
$gitops render bench --repo "$repo" --output json | label bench > "$out/bench.json"
apply --field-manager gitops -f "$out/bench.json"
for i in 0000 0001 0099 0100 0300 0301 0600 0601 0900 0901; do  # ConfigMaps and Deployments
  sed -i 's/"LOG_LEVEL": "info"/"LOG_LEVEL": "debug"/; s/"replicas": 2/"replicas": 3/' "$repo/environments/bench/objects/app-$i.yaml"
done
$gitops render bench --repo "$repo" --output json | label bench > "$out/bench-changed.json"
echo "## generated environment (1,000 objects, 10 changed)"
report "gitops diff bench (server-side dry run)" $gitops diff bench --repo "$repo"
report "gitops diff bench --no-server-side" $gitops diff bench --repo "$repo" --no-server-side
report "kubectl diff --server-side" kubectl diff --server-side --field-manager gitops -f "$out/bench-changed.json"
$gitops diff bench --repo "$repo" | tail -1
