"""What a `helm template | diff` preview costs with Helm's own SDK (helm-python-sdk): every chart
release of every environment rendered at both revisions (the charts loaded once per revision and
folder), the outputs compared as text. No kustomize, plain manifests, schemas or policies: a floor
for such a script, not the same work as gitops diff --all.
   helm_preview.py BASE_DIR HEAD_DIR"""
import difflib
import os
import sys
import time

import helm_python as helm
import yaml


def releases(root):
    """(environment, release, chart folder, values files) of every chart release."""
    out = []
    for name in sorted(os.listdir(os.path.join(root, "environments"))):
        with open(os.path.join(root, "environments", name, "environment.yaml")) as f:
            spec = yaml.safe_load(f)["spec"]
        for release in spec.get("releases", []):
            if "chart" in release:
                files = [os.path.join(root, "environments", name, v) for v in release.get("valuesFiles", [])]
                out.append((name, spec["namespace"], release["name"], os.path.join(root, release["chart"]), files))
    return out


def render(root):
    charts, outputs = {}, {}
    for env, namespace, name, chart, files in releases(root):
        if chart not in charts:
            charts[chart] = helm.Chart.load(chart)
        values = {}
        for file in files:
            with open(file) as f:
                values = merge(values, yaml.safe_load(f) or {})
        rendered = charts[chart].render(values, name=name, namespace=namespace)
        outputs[(env, name)] = "".join(rendered[k] for k in sorted(rendered))
    return outputs


def merge(a, b):
    out = dict(a)
    for k, v in b.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


start = time.perf_counter()
base, head = render(sys.argv[1]), render(sys.argv[2])
changed = sum(1 for key in head if list(difflib.unified_diff(base.get(key, "").splitlines(), head[key].splitlines())))
elapsed = time.perf_counter() - start
print(f"helm-sdk {elapsed:.3f} s ({len(head)} chart releases at two revisions, {changed} changed)")
