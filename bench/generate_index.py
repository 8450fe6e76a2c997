#!/usr/bin/env python3
"""Writes a Helm repository index.yaml with ENTRIES chart versions spread over CHARTS charts, shaped
like a large public repository's (descriptions, maintainers, sources, keywords, annotations).
   generate_index.py OUT [ENTRIES] [CHARTS]"""
import sys

out, entries, charts = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10000, int(sys.argv[3]) if len(sys.argv) > 3 else 250
per = entries // charts
with open(out, "w") as f:
    f.write("apiVersion: v1\nentries:\n")
    for c in range(charts):
        name = f"chart-{c:04d}"
        f.write(f"  {name}:\n")
        for v in range(per):
            version = f"{v // 100}.{(v // 10) % 10}.{v % 10}"
            f.write(f"""  - annotations:
      category: Infrastructure
      licenses: Apache-2.0
    apiVersion: v2
    appVersion: "{v}.0"
    created: "2026-11-{1 + v % 28:02d}T10:{v % 60:02d}:00.000000000Z"
    dependencies:
    - name: common
      repository: oci://registry.example.com/charts
      tags: [common]
      version: 2.x.x
    description: A generated chart, number {c}, with a description about as long as real ones are.
    digest: {c:04x}{v:04x}{'0' * 56}
    home: https://example.com/{name}
    icon: https://example.com/{name}.svg
    keywords: [generated, bench, {name}]
    maintainers:
    - name: Example
      url: https://example.com
    name: {name}
    sources:
    - https://github.com/example/{name}
    urls:
    - https://charts.example.com/{name}-{version}.tgz
    version: {version}
""")
    f.write('generated: "2026-12-01T00:00:00Z"\n')
