#!/usr/bin/env python3
"""A kustomize repository for the benchmark: one base of about 30 objects (Deployments, Services,
ConfigMaps, a StatefulSet with a PVC template, RBAC, an Ingress, HPAs) and N overlays, each with a
name prefix, a namespace, labels, generators (ConfigMap and Secret, hashed names the workloads
refer to), image and replica overrides, a strategic merge patch and a JSON 6902 patch.

Usage: bench/generate_kustomize_overlays.py OUT_DIR [OVERLAYS]   (default 50)
"""
import os, sys

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 50
services = ["web", "api", "worker", "search", "mailer", "billing"]

def write(path, text):
    full = os.path.join(out, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)

objects = []
for name in services:
    objects.append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      serviceAccountName: app
      containers:
      - name: {name}
        image: registry.example.com/{name}:1.0.0
        ports:
        - containerPort: 8080
          name: http
        envFrom:
        - configMapRef: {{name: settings}}
        env:
        - name: DB_PASSWORD
          valueFrom:
            secretKeyRef: {{name: credentials, key: password}}
        resources:
          requests: {{cpu: 100m, memory: 128Mi}}
        volumeMounts:
        - {{name: config, mountPath: /etc/{name}}}
      volumes:
      - name: config
        configMap: {{name: settings}}
""")
    objects.append(f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector: {{app: {name}}}
  ports:
  - {{name: http, port: 80, targetPort: http}}
""")
    objects.append(f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 1
  maxReplicas: 5
""")
    objects.append(f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}
spec:
  minAvailable: 1
  selector:
    matchLabels: {{app: {name}}}
""")
objects.append("""apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
      - name: postgres
        image: postgres:16
        env:
        - name: POSTGRES_PASSWORD
          valueFrom:
            secretKeyRef: {name: credentials, key: password}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources:
        requests: {storage: 10Gi}
""")
objects.append("""apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: app
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: app
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: app}
subjects:
- {kind: ServiceAccount, name: app}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: public
spec:
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {name: http}}
      - path: /api
        pathType: Prefix
        backend:
          service: {name: api, port: {name: http}}
""")
write("base/resources.yaml", "---\n".join(objects))
write("base/kustomization.yaml", """resources: [resources.yaml]
commonLabels:
  app.kubernetes.io/part-of: shop
configMapGenerator:
- name: settings
  literals: [LOG_LEVEL=info, FEATURE_X=off]
secretGenerator:
- name: credentials
  literals: [password=base-password]
""")
for i in range(count):
    name = f"overlay-{i:02d}"
    write(f"overlays/{name}/kustomization.yaml", f"""namePrefix: {name}-
namespace: shop-{i:02d}
resources: [../../base]
labels:
- pairs: {{environment: {name}}}
images:
- name: registry.example.com/web
  newTag: "2.{i}.0"
replicas:
- name: api
  count: {i % 5 + 1}
configMapGenerator:
- name: settings
  behavior: merge
  literals: [LOG_LEVEL=debug, REGION=region-{i % 7}]
secretGenerator:
- name: credentials
  behavior: replace
  literals: [password=overlay-{i}-password]
patches:
- path: resources.yaml
- target: {{kind: Deployment, name: worker}}
  patch: |-
    - op: add
      path: /spec/template/spec/containers/0/args
      value: [--queue, "queue-{i}"]
""")
    write(f"overlays/{name}/resources.yaml", f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        resources:
          limits: {{cpu: "{i % 4 + 1}", memory: 512Mi}}
      - name: sidecar
        image: registry.example.com/proxy:1.{i}
""")
print(f"{count} overlays in {out}")
