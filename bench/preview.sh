#!/usr/bin/env bash
# The pull-request preview of a repository of N environments (each like this repository's
# production) after a change to a shared chart: one `gitops diff --all` process, next to N
# `gitops diff ENV` processes, next to rendering the same chart releases at both revisions with
# Helm's SDK. Wall time, best of 3.   bench/preview.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-50}"
out=bench/out/preview
swift build -c release --product gitops 2>&1 | tail -1 >&2
gitops="$PWD/.build/release/gitops"
repo="$out/repo-$count"
[ -d "$repo" ] || python3 bench/generate_preview_repo.py . "$repo" "$count" >&2
git -C "$repo" checkout -q pr
base="$out/base-$count"
[ -d "$base" ] || git -C "$repo" worktree add -q "$PWD/$base" main >&2
best() {  # best wall time of 3 runs of "$@" (exit codes 0 and 1 both mean it ran)
  python3 - "$@" <<'PY'
import subprocess, sys, time
best = None
for _ in range(3):
    start = time.perf_counter()
    status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    assert status in (0, 1), f"{sys.argv[1:]} exited {status}"
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(f"{best:.3f}")
PY
}
each() { for env in $(ls "$repo/environments"); do "$gitops" diff "$env" --against main --repo "$repo" >/dev/null 2>&1 || [ $? -eq 1 ]; done; }
export -f each; export gitops repo
one=$(cd "$repo" && best "$gitops" diff --all --against main)
nochecks=$(cd "$repo" && best "$gitops" diff --all --against main --no-checks)
markdown=$(cd "$repo" && best "$gitops" diff --all --against main --output markdown)
separate=$(best bash -c each)
rss=$(cd "$repo" && { /usr/bin/time -f "%M" "$gitops" diff --all --against main 2>&1 >/dev/null || true; } | tail -1)
echo "## Preview: $count environments like production, a shared chart changed (best of 3, $(nproc) cores)"
echo '```'
echo "gitops diff --all --against main                  $one s  (peak RSS $((rss / 1024)) MiB)"
echo "gitops diff --all --against main --output markdown $markdown s"
echo "gitops diff --all --against main --no-checks      $nochecks s"
echo "$count × gitops diff ENV --against main             $separate s"
if python3 -c "import helm_python" 2>/dev/null; then
  python3 bench/helm_preview.py "$base" "$repo"
else
  echo "helm-sdk: skipped (pip install helm-python-sdk)"
fi
echo '```'
