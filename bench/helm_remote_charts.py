#!/usr/bin/env python3
"""Helm's SDK on an umbrella chart whose dependencies come from a Helm repository and an OCI
registry: cold (`helm dependency build` from the Chart.lock, then load and render) and warm (the
dependencies in charts/ already: load and render). Best of COUNT, seconds.
   helm_remote_charts.py CHART VALUES_YAML COUNT"""
import shutil
import sys
import time

import helm_python as helm
import yaml

chart, values_file, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(values_file) as f:
    values = yaml.safe_load(f) or {}


def render():
    return helm.Chart.load(chart).render(values, name="bench", namespace="bench")


cold = warm = None
for _ in range(count):
    shutil.rmtree(chart + "/charts", ignore_errors=True)
    start = time.perf_counter()
    helm.dependency_build(chart, plain_http=True)
    rendered = render()
    elapsed = time.perf_counter() - start
    cold = elapsed if cold is None else min(cold, elapsed)
for _ in range(count):
    start = time.perf_counter()
    render()
    elapsed = time.perf_counter() - start
    warm = elapsed if warm is None else min(warm, elapsed)
print(f"helm-sdk cold {cold:.4f} warm {warm:.4f} templates {len(rendered)}")
