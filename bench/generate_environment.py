#!/usr/bin/env python3
"""Writes an environments repository with one environment `bench` (namespace bench) of N plain
objects (ConfigMaps, Deployments, Services in turn). Usage: generate_environment.py REPO N"""
import json
import os
import sys

repo, count = sys.argv[1], int(sys.argv[2])
folder = os.path.join(repo, "environments/bench/objects")
os.makedirs(folder, exist_ok=True)
with open(os.path.join(repo, "gitops.yaml"), "w") as f:
    f.write("apiVersion: gitops/v1alpha1\nkind: Repository\n")
with open(os.path.join(repo, "environments/bench/environment.yaml"), "w") as f:
    f.write("apiVersion: gitops/v1alpha1\nkind: Environment\nmetadata: {name: bench}\nspec:\n  namespace: bench\n"
            "  cluster: {context: kube-test-server}\n  releases:\n    - name: objects\n      path: environments/bench/objects\n")
for i in range(count):
    kind = ("ConfigMap", "Deployment", "Service")[i % 3]
    name = f"app-{i:04d}"
    labels = {"app": name, "tier": ("web", "api", "worker")[i % 3]}
    if kind == "ConfigMap":
        obj = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "labels": labels},
               "data": {"LOG_LEVEL": "info", "POOL": str(i % 17), "URL": f"https://{name}.example.org"}}
    elif kind == "Deployment":
        obj = {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "labels": labels},
               "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                        "template": {"metadata": {"labels": labels}, "spec": {"containers": [{
                            "name": "app", "image": f"registry.example.org/{name}:1.{i % 9}.0",
                            "ports": [{"containerPort": 8080, "name": "http"}],
                            "env": [{"name": "POOL", "value": str(i % 17)}],
                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}}]}}}}
    else:
        obj = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "labels": labels},
               "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": "http", "name": "http"}]}}
    with open(os.path.join(folder, f"{name}.yaml"), "w") as f:
        json.dump(obj, f)
