#!/usr/bin/env bash
# Creates a Git repository at $1 with one commit of $2 (default 10000) files of a few KB each.
set -euo pipefail
repo="$1"
count="${2:-10000}"
rm -rf "$repo"
mkdir -p "$repo"
git -C "$repo" init -q -b main
python3 - "$repo" "$count" <<'PY'
import os, random, sys
repo, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
for i in range(count):
    folder = os.path.join(repo, "environments", f"env-{i % 20}", f"app-{i % 500}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"manifest-{i}.yaml"), "w") as f:
        for j in range(rng.randint(20, 80)):
            f.write(f"key{j}: value-{rng.randint(0, 10**9)}\n")
PY
git -C "$repo" add -A
git -C "$repo" -c gc.auto=0 -c user.name=bench -c user.email=bench@example.com commit -q -m "10k files"
git -C "$repo" gc -q
echo "$repo: $(git -C "$repo" ls-tree -r HEAD | wc -l) files"
