#!/usr/bin/env python3
"""Writes a git fast-import stream for an environments repository with ENVS environments (one
chart shared by all, a values file each with a pinned image tag and comments) and COMMITS commits,
each changing one environment's values (round robin). Usage:
generate_promotion_repo.py ENVS COMMITS | git -C REPO fast-import --quiet"""
import sys

envs, commits = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout.buffer
mark = 0


def blob(text):
    global mark
    mark += 1
    data = text.encode()
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")
    return mark


def values(env, version):
    return (f"# Values for env-{env:02d}; reviewed by the team.\n"
            f"replicaCount: {1 + env % 3}\n"
            f"image:\n  repository: registry.example.org/app\n  tag: \"1.{version}.{env}\"   # pinned\n"
            f"resources:\n  requests: {{cpu: 100m, memory: 128Mi}}\n")


def environment(env):
    promotion = f"  promotion:\n    from: env-{env - 1:02d}\n" if env > 0 else ""
    return (f"apiVersion: gitops/v1alpha1\nkind: Environment\nmetadata:\n  name: env-{env:02d}\nspec:\n"
            f"  namespace: app-{env:02d}\n{promotion}  releases:\n    - name: app\n      chart: charts/app\n"
            f"      valuesFiles: [values.yaml]\n      promote: [image.tag]\n")


files = {
    "gitops.yaml": "apiVersion: gitops/v1alpha1\nkind: Repository\n",
    "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\n",
    "charts/app/values.yaml": "replicaCount: 1\nimage:\n  repository: registry.example.org/app\n  tag: \"1.0.0\"\nresources: {}\n",
    "charts/app/templates/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: {{ .Values.replicaCount }}\n"
        "  selector: {matchLabels: {app: app}}\n  template:\n    metadata: {labels: {app: app}}\n    spec:\n"
        "      containers:\n        - name: app\n          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n"
        "          resources: {{ toYaml .Values.resources | nindent 12 }}\n"),
}
for env in range(envs):
    files[f"environments/env-{env:02d}/environment.yaml"] = environment(env)
    files[f"environments/env-{env:02d}/values.yaml"] = values(env, 0)

marks = {path: blob(text) for path, text in files.items()}
time = 1_700_000_000
out.write(b"commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.org> %d +0000\ndata 7\ninitial\n" % (mark + 1, time))
mark += 1
for path, blob_mark in marks.items():
    out.write(b"M 100644 :%d %s\n" % (blob_mark, path.encode()))
out.write(b"\n")
version = [0] * envs
for number in range(1, commits):
    env = number % envs
    version[env] += 1
    b = blob(values(env, version[env]))
    message = f"env-{env:02d}: app 1.{version[env]}.{env}".encode()
    out.write(b"commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.org> %d +0000\ndata %d\n%s\n"
              % (mark + 1, time + number, len(message), message))
    mark += 1
    out.write(b"M 100644 :%d environments/env-%02d/values.yaml\n\n" % (b, env))
