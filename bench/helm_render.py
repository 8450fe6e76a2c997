"""Helm's own SDK (helm-python-sdk): load a chart once, render it COUNT times, time the render calls."""
import resource
import sys
import time

import helm_python as helm
import yaml

chart_dir, values_file, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(values_file) as f:
    values = yaml.safe_load(f) or {}
chart = helm.Chart.load(chart_dir)
elapsed = 0.0
templates = 0
for _ in range(count):
    start = time.perf_counter()
    out = chart.render(values, name="blog", namespace="blog-production")
    elapsed += time.perf_counter() - start
    templates = len(out)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"helm-sdk-chart {elapsed:.3f} s {count / elapsed:.1f} renders/s ({templates} templates each) peak-rss {peak:.1f} MiB")
