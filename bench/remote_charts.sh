#!/usr/bin/env bash
# Remote charts: gitops against Helm's SDK in the same run (release build).
#   bench/remote_charts.sh [WORK_DIR]     (default: a temporary folder)
# Serves this repository's redis and postgresql charts from a Helm repository on 127.0.0.1
# (scripts/helm-repo-server, index written by Helm's SDK) and its blog chart from a local
# docker-registry, then times:
#   - a cold render of an environment naming the three (fetch, verify, render; an empty cache),
#   - a warm render (everything in the cache, --offline: no network at all),
#   - the same environment with the three charts vendored as folders,
#   - Helm's SDK on an umbrella chart with the same three dependencies: dependency build + render
#     (cold) and render with charts/ filled (warm),
#   - parsing a 10,000-entry index.yaml: gitops in process, Helm's SDK downloading and loading it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=${1:-$(mktemp -d)}
swift build -c release --product gitops 2>&1 | tail -1 >&2
swift build -c release --product gitops-bench 2>&1 | tail -1 >&2
gitops=$root/.build/release/gitops
rm -rf "$work" && mkdir -p "$work/repo" "$work/registry"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

# The Helm repository: redis and postgresql, packed as helm package packs them, Helm's index.
for chart in redis postgresql; do tar -C charts -czf "$work/repo/$chart-$(awk '/^version:/ {print $2}' charts/$chart/Chart.yaml).tgz" "$chart"; done
python3 -c "import helm_python as h, sys; h.repo_index_generate(sys.argv[1])" "$work/repo"
repo_port=$((20000 + RANDOM % 10000))
python3 scripts/helm-repo-server --port "$repo_port" --dir "$work/repo" & pids+=($!)
registry_port=$((repo_port + 1))
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' "$work/registry/data" "$registry_port" > "$work/registry/config.yml"
docker-registry serve "$work/registry/config.yml" > /dev/null 2>&1 & pids+=($!)
sleep 1
"$gitops" chart push charts/blog "oci://127.0.0.1:$registry_port/charts" --plain-http --cache-dir "$work/push-cache" > /dev/null
repo="http://127.0.0.1:$repo_port"
blog_version=$(awk '/^version:/ {print $2}' charts/blog/Chart.yaml)

# Two environments: the charts by reference, and vendored.
env="$work/envs"
mkdir -p "$env/environments/remote" "$env/environments/vendored" "$env/charts"
cp -R charts/redis charts/postgresql charts/blog "$env/charts/"
for e in remote vendored; do cp environments/production/blog.yaml environments/production/postgresql.yaml "$env/environments/$e/"; done
reference() { if [ "$1" = remote ]; then echo "$2"; else echo "charts/$3"; fi; }
for e in remote vendored; do
  cat > "$env/environments/$e/environment.yaml" <<EOF
apiVersion: gitops/v1alpha1
kind: Environment
metadata: {name: $e}
spec:
  namespace: blog
  cluster: {context: bench}
  releases:
    - name: postgresql
      chart: $(reference $e "{repository: \"$repo\", name: postgresql, version: \"^1.0\"}" postgresql)
      valuesFiles: [postgresql.yaml]
    - name: redis
      chart: $(reference $e "{repository: \"$repo\", name: redis, version: \"^1.0\"}" redis)
    - name: blog
      chart: $(reference $e "oci://127.0.0.1:$registry_port/charts/blog" blog)
$( [ "$e" = remote ] && echo "      version: \"$blog_version\"" )
      valuesFiles: [blog.yaml]
EOF
done
git -C "$env" init -q && git -C "$env" add -A && git -C "$env" -c user.email=b@example.com -c user.name=bench commit -qm bench
"$gitops" chart lock remote --repo "$env" --cache-dir "$work/lock-cache" --plain-http >&2

# gitops in process (as the sync job renders): cold (an empty cache each time: fetch, verify,
# render), warm (from the cache, no network), vendored (chart folders).
bench="$root/.build/release/gitops-bench"
cold=$("$bench" render "$env" remote "$work/cache" 5 cold | awk '{print $2}')
warm=$("$bench" render "$env" remote "$work/cache" 15 | awk '{print $2}')
vendored=$("$bench" render "$env" vendored "$work/cache" 15 | awk '{print $2}')
# And as commands: a process each, best of 15.
"$gitops" render remote --repo "$env" --cache-dir "$work/cache" --offline > "$work/remote.yaml"
warm_process=$(python3 bench/process_time.py 15 "$gitops" render remote --repo "$env" --cache-dir "$work/cache" --offline)
vendored_process=$(python3 bench/process_time.py 15 "$gitops" render vendored --repo "$env")
"$gitops" render vendored --repo "$env" > "$work/vendored.yaml"
same=$(cmp -s <(grep -v '^# Source' "$work/remote.yaml") <(grep -v '^# Source' "$work/vendored.yaml") && echo yes || echo no)
# No network in a warm render: the registry and the repository stopped, it still renders.
cleanup
pids=()
offline=$("$gitops" render remote --repo "$env" --cache-dir "$work/cache" --offline > /dev/null && echo yes || echo no)
python3 scripts/helm-repo-server --port "$repo_port" --dir "$work/repo" & pids+=($!)
docker-registry serve "$work/registry/config.yml" > /dev/null 2>&1 & pids+=($!)
sleep 1

# Helm's SDK: an umbrella chart with the three as dependencies, its lock from Helm itself.
umbrella="$work/umbrella"
mkdir -p "$umbrella/templates"
cat > "$umbrella/Chart.yaml" <<EOF
apiVersion: v2
name: umbrella
version: 1.0.0
dependencies:
  - {name: postgresql, version: "^1.0", repository: "$repo"}
  - {name: redis, version: "^1.0", repository: "$repo"}
  - {name: blog, version: "$blog_version", repository: "oci://127.0.0.1:$registry_port/charts"}
EOF
python3 -c "import yaml, sys; b = yaml.safe_load(open(sys.argv[1])); p = yaml.safe_load(open(sys.argv[2])); print(yaml.safe_dump({'blog': b, 'postgresql': p}))" \
  environments/production/blog.yaml environments/production/postgresql.yaml > "$umbrella/values-bench.yaml"
(cd "$umbrella" && python3 -c "import helm_python as h; h.dependency_update('.', plain_http=True)")
helm=$(python3 bench/helm_remote_charts.py "$umbrella" "$umbrella/values-bench.yaml" 3)
helm_cold=$(echo "$helm" | awk '{print $3}')
helm_warm=$(echo "$helm" | awk '{print $5}')

# A 10,000-entry index.
mkdir -p "$work/repo/big"
python3 bench/generate_index.py "$work/repo/big/index.yaml" 10000 250
ours_index=$("$root/.build/release/gitops-bench" index "$work/repo/big/index.yaml" 5)
helm_index=$(python3 bench/helm_index.py "$repo/big" 3)

printf '| in process | gitops | Helm SDK | Helm ÷ gitops |\n| --- | --- | --- | --- |\n'
printf '| cold: fetch 3 charts, verify, render | %.1f ms | %.1f ms (dependency build + load + render) | %.1f× |\n' "$(echo "$cold * 1000" | bc -l)" "$(echo "$helm_cold * 1000" | bc -l)" "$(echo "$helm_cold / $cold" | bc -l)"
printf '| warm: render from the cache (Helm: charts/ filled) | %.1f ms | %.1f ms (load + render) | %.1f× |\n' "$(echo "$warm * 1000" | bc -l)" "$(echo "$helm_warm * 1000" | bc -l)" "$(echo "$helm_warm / $warm" | bc -l)"
printf '| vendored: the same three as chart folders | %.1f ms | | warm ÷ vendored %.2f |\n' "$(echo "$vendored * 1000" | bc -l)" "$(echo "$warm / $vendored" | bc -l)"
printf '\nAs commands (a process each, best of 15): warm `gitops render --offline` %.1f ms, vendored %.1f ms (warm ÷ vendored %.2f).\n' \
  "$(echo "$warm_process * 1000" | bc -l)" "$(echo "$vendored_process * 1000" | bc -l)" "$(echo "$warm_process / $vendored_process" | bc -l)"
printf 'Warm render with the repository and registry stopped: %s. Remote render identical to vendored (Source lines aside): %s.\n' "$offline" "$same"
printf '10,000-entry index.yaml: %s; %s (download from 127.0.0.1 and Helm'"'"'s LoadIndex, handed to Python).\n' "$ours_index" "$helm_index"
