"""Helm's own SDK (helm-python-sdk): what `helm template` costs for one chart, in-process: load the
chart folder and render it once, best of COUNT; the interpreter's start-up is not counted."""
import resource
import sys
import time

import helm_python as helm
import yaml

chart_dir, values_file, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(values_file) as f:
    values = yaml.safe_load(f) or {}
best = None
for _ in range(count):
    start = time.perf_counter()
    out = helm.Chart.load(chart_dir).render(values, name="blog", namespace="blog-production")
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"helm-sdk-load-render {best:.4f} s ({len(out)} templates) peak-rss {peak:.1f} MiB")
