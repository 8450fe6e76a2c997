"""Helm's own SDK (helm-python-sdk): what `helm template` runs for one chart, in-process: load the
chart folder and run Helm's install action in client dry-run mode (render, then split, parse and
sort the manifests, set hooks apart), best of COUNT; the interpreter's start-up is not counted."""
import json
import sys
import time

import helm_python as helm
from helm_python import _native
import yaml

chart_dir, values_file, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(values_file) as f:
    values = yaml.safe_load(f) or {}
options = json.dumps({"namespace": "blog-production", "dry_run": "client", "replace": True})
best = None
for _ in range(count):
    start = time.perf_counter()
    chart = helm.Chart.load(chart_dir)
    config = helm.Config(storage_driver="memory", namespace="blog-production")
    try:
        result = json.loads(_native.call_string("helm_install", config._raw(), _native.HANDLE(0), chart._raw(), None, "blog",
                                                json.dumps(values), options))
    finally:
        config.close()
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(f"helm-sdk-load-install {best:.4f} s ({len(result.get('manifest', ''))} bytes)")
