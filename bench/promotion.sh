#!/usr/bin/env bash
# A promotion and an environment's history in a repository with 50 environments and 20,000
# commits: gitops promote (plan + branch commit, no working tree touched) and gitops history,
# next to what a user would run with plain git for the same jobs (a worktree, an edit and a
# commit; git log over the environment's paths). Wall time best of 3.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/promotion
envs="${1:-50}" commits="${2:-20000}"
swift build -c release --product gitops 2>&1 | tail -1 >&2
gitops="$PWD/.build/release/gitops"
repo="$out/repo-$envs-$commits"
if [ ! -d "$repo" ]; then
  mkdir -p "$repo" && git -C "$repo" init -q -b main
  python3 bench/generate_promotion_repo.py "$envs" "$commits" | git -C "$repo" fast-import --quiet
  git -C "$repo" checkout -q main
  git -C "$repo" config user.name Bench && git -C "$repo" config user.email bench@example.org
fi
best() {
  local best="" t start end
  for _ in 1 2 3; do
    "${SETUP[@]}" >/dev/null 2>&1 || true
    start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  echo "$best"
}
cleanup() { git -C "$repo" for-each-ref --format='%(refname)' 'refs/heads/promote/*' 'refs/heads/manual/*' | xargs -r -n1 git -C "$repo" update-ref -d; git -C "$repo" worktree prune; rm -rf "$out/wt"; }
manual_promotion() {  # what a script would do with git alone: a worktree, the edit, a commit
  git -C "$repo" worktree add -q -b manual/promote "$out/wt" main
  tag=$(sed -n 's/^  tag: "\(.*\)".*/\1/p' "$out/wt/environments/env-48/values.yaml")
  sed -i "s/^  tag: \".*\"/  tag: \"$tag\"/" "$out/wt/environments/env-49/values.yaml"
  git -C "$out/wt" commit -qam "promote env-48 → env-49: app $tag"
}
SETUP=(cleanup)
echo "## $envs environments, $(git -C "$repo" rev-list --count main) commits"
printf "%-58s %6.3f s\n" "gitops promote env-48 env-49 (plan, render diff, commit)" "$(best "$gitops" promote env-48 env-49 --repo "$repo")"
printf "%-58s %6.3f s\n" "git worktree add + sed + git commit (no plan, no diff)" "$(best manual_promotion)"
cleanup
SETUP=(true)
printf "%-58s %6.3f s\n" "gitops history env-49 --limit 20 (with changed objects)" "$(best "$gitops" history env-49 --limit 20 --repo "$repo")"
printf "%-58s %6.3f s\n" "git log --first-parent -20 -- <env-49's paths>" "$(best git -C "$repo" log --first-parent -20 --format=%H -- environments/env-49 charts/app gitops.yaml)"
