#!/usr/bin/env python3
"""Writes a desired environment of N generated objects and a live snapshot of it as an API server
would return it (uid, resourceVersion, managedFields, status, defaults), with CHANGED objects
changed (a label Git sets; Deployments also their replicas). Usage: generate_drift.py DESIRED.jsonl LIVE.jsonl N CHANGED"""
import copy
import json
import random
import sys

import k8s_objects

desired_path, live_path, count, changed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
r = random.Random(5)
objects = [obj for obj, _ in k8s_objects.generate(count, seed=11)]
to_change = set(r.sample(range(count), changed))
with open(desired_path, "w") as desired, open(live_path, "w") as live:
    for index, obj in enumerate(objects):
        desired.write(json.dumps(obj, separators=(",", ":")) + "\n")
        server = copy.deepcopy(obj)
        meta = server["metadata"]
        meta.update({"uid": f"00000000-0000-0000-0000-{index:012d}", "resourceVersion": str(1000 + index), "generation": 2,
                     "creationTimestamp": "2026-11-20T10:00:00Z",
                     "managedFields": [{"manager": "gitops", "operation": "Apply", "apiVersion": server["apiVersion"]}]})
        server["status"] = {"observedGeneration": 2}
        spec = server.get("spec", {})
        if server["kind"] == "Deployment":
            spec.update({"revisionHistoryLimit": 10, "progressDeadlineSeconds": 600})
        if server["kind"] == "Service":
            spec.update({"clusterIP": "10.96.0.%d" % (index % 250), "sessionAffinity": "None", "ipFamilies": ["IPv4"]})
        if index in to_change:
            meta.setdefault("labels", {})["app.kubernetes.io/part-of"] = "drifted"
            if server["kind"] == "Deployment":
                spec["replicas"] = spec.get("replicas", 1) + 10
        live.write(json.dumps(server, separators=(",", ":")) + "\n")
