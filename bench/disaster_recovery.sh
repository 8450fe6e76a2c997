#!/usr/bin/env bash
# Disaster recovery: production re-created from Git into an empty cluster. Each round starts a new,
# empty kube-test-server (with only the cluster owner's monitoring CRDs, applied at its start) and
# a sync job with an empty cache, which clones this repository's HEAD (file://), renders, passes
# the gates, applies everything in order, runs the migration hook and waits for health. The wall
# time is the recovery time the toolkit adds (image pulls and real pod start-up come on top).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/dr
rm -rf "$out" && mkdir -p "$out"
swift build -c release --product gitops 2>&1 | tail -1 >&2
swift build -c release --product kube-test-server 2>&1 | tail -1 >&2
git clone -q --bare . "$out/envs.git"
url="file://$PWD/$out/envs.git"
echo "## Disaster recovery: production from $(git rev-parse --short HEAD) into an empty kube-test-server"
for round in 1 2 3; do
  rm -f "$out/kubeconfig"
  .build/release/kube-test-server --kubeconfig "$out/kubeconfig" --apply crds/monitoring.coreos.com.yaml 2>/dev/null &
  server=$!
  for _ in $(seq 50); do [ -f "$out/kubeconfig" ] && break; sleep 0.1; done
  /usr/bin/time -f "%e %U %S %M" -o "$out/time" .build/release/gitops sync production --once --repo-url "$url" \
    --cache "$out/cache-$round" --kubeconfig "$out/kubeconfig" --context kube-test-server > "$out/stdout" 2>&1 \
    || { cat "$out/stdout"; kill $server; exit 1; }
  read -r wall user sys rss < "$out/time"
  printf "round %d: wall %5.2f s  cpu %5.2f s  peak %6.1f MiB  (%s)\n" "$round" "$wall" "$(echo "$user + $sys" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)" "$(tail -1 "$out/stdout")"
  kill $server; wait $server 2>/dev/null || true
done

# For comparison, what a person would do by hand: the same objects, rendered, piped to kubectl's
# server-side apply into an empty server (no gates, no ordering beyond the file's, no hooks, no
# waiting for health).
if command -v kubectl >/dev/null 2>&1; then
  .build/release/gitops render production --repo "$out/envs.git" --revision HEAD > "$out/production.yaml"
  for round in 1 2 3; do
    rm -f "$out/kubeconfig"
    .build/release/kube-test-server --kubeconfig "$out/kubeconfig" --apply crds/monitoring.coreos.com.yaml 2>/dev/null &
    server=$!
    for _ in $(seq 50); do [ -f "$out/kubeconfig" ] && break; sleep 0.1; done
    /usr/bin/time -f "%e %U %S %M" -o "$out/time" kubectl --kubeconfig "$out/kubeconfig" apply --server-side --validate=false \
      -f "$out/production.yaml" > "$out/stdout" 2>&1 || { cat "$out/stdout"; kill $server; exit 1; }
    read -r wall user sys rss < "$out/time"
    printf "kubectl apply --server-side, round %d: wall %5.2f s  cpu %5.2f s  peak %6.1f MiB  (%s objects)\n" "$round" "$wall" \
      "$(echo "$user + $sys" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$(grep -c 'serverside-applied' "$out/stdout")"
    kill $server; wait $server 2>/dev/null || true
  done
fi
