#!/usr/bin/env python3
"""Helm's SDK reading a repository index over HTTP (repo_index: download, then Helm's LoadIndex),
best of COUNT, seconds.   helm_index.py URL COUNT"""
import sys
import time

import helm_python as helm

url, count = sys.argv[1], int(sys.argv[2])
best = None
for _ in range(count):
    start = time.perf_counter()
    index = helm.repo_index(url)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(f"helm-sdk-index {best:.4f} s ({sum(len(v) for v in index['entries'].values())} versions)")
