"""PyYAML's libyaml-based loader (CSafeLoader) over a multi-document file, best of N runs."""
import sys
import time

import yaml

path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
with open(path, "rb") as f:
    data = f.read()
best = float("inf")
count = 0
documents = []
for _ in range(repeats):
    documents = []  # free the previous documents outside the timed part
    start = time.perf_counter()
    documents = list(yaml.load_all(data, Loader=yaml.CSafeLoader))
    best = min(best, time.perf_counter() - start)
    count = len(documents)
print(f"pyyaml-csafeloader {best:.3f} s {len(data) / 1e6 / best:.1f} MB/s ({count} documents)")
