#!/usr/bin/env python3
"""Writes N generated Kubernetes objects of 21 kinds (bench/k8s_objects.py), one JSON object per
line; 5% of them are mutated (most of those invalid). Usage: generate_objects.py OUT N"""
import json
import sys

import k8s_objects

out, count = sys.argv[1], int(sys.argv[2])
with open(out, "w") as f:
    for obj, _ in k8s_objects.generate(count, seed=7, mutation_rate=0.05):
        f.write(json.dumps(obj, separators=(",", ":")) + "\n")
