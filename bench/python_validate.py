#!/usr/bin/env python3
"""Validates objects (one JSON object per line) with Python, against kubernetes-validate's schemas:
  python_validate.py OBJECTS.jsonl kubernetes-validate N   kubernetes_validate.validate() per object (first N)
  python_validate.py OBJECTS.jsonl jsonschema              jsonschema Draft 2020-12 validators built once per kind
Prints: <what> <seconds> <objects/s> (<count> objects, <invalid> invalid)."""
import json
import os
import re
import sys
import time

import jsonschema
import kubernetes_validate
from referencing import Registry, Resource

VERSION = "1.31"
path, mode = sys.argv[1], sys.argv[2]
objects = [json.loads(line) for line in open(path)]
if mode == "kubernetes-validate":
    objects = objects[: int(sys.argv[3])]
    start = time.perf_counter()
    invalid = 0
    for obj in objects:
        try:
            kubernetes_validate.validate(obj, VERSION, False)
        except kubernetes_validate.ValidationError:
            invalid += 1
    elapsed = time.perf_counter() - start
else:
    folder = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema", f"v{VERSION}.0-local")
    definitions = Resource.from_contents(json.load(open(os.path.join(folder, "_definitions.json"))))
    validators = {}
    start = time.perf_counter()
    invalid = 0
    for obj in objects:
        api = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", obj["apiVersion"])
        name = f"{obj['kind'].lower()}-{api}.json"
        validator = validators.get(name)
        if validator is None:
            schema = json.load(open(os.path.join(folder, name)))
            registry = definitions @ (Resource.from_contents(schema) @ Registry())
            validator = validators[name] = jsonschema.validators.Draft202012Validator(schema, registry=registry)
        if not validator.is_valid(obj):
            invalid += 1
    elapsed = time.perf_counter() - start
print(f"python-{mode} {elapsed:.3f} s {len(objects) / elapsed:.0f} objects/s ({len(objects)} objects, {invalid} invalid)")
