"""Writes a deterministic multi-document Kubernetes manifest stream of about SIZE megabytes."""
import random
import sys

path = sys.argv[1]
target = int(float(sys.argv[2]) * 1_000_000) if len(sys.argv) > 2 else 50_000_000
rng = random.Random(42)

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: team-{ns}
  labels:
    app.kubernetes.io/name: app-{i}
    app.kubernetes.io/part-of: "platform"
    tier: {tier}
  annotations:
    description: "Service number {i}: handles requests for tenant {ns}"
spec:
  replicas: {replicas}
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app.kubernetes.io/name: app-{i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-{i}
    spec:
      serviceAccountName: app-{i}
      securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}
      containers:
        - name: main
          image: ghcr.io/example/app-{i}:1.{minor}.{patch}
          args: ["--port=8080", "--log-level=info", "--cache-size={cache}"]
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
            - name: DATABASE_URL
              value: postgres://db-{ns}:5432/app_{i}
            - name: FEATURE_FLAGS
              value: "a,b,c"
            - name: ENABLED
              value: "true"
          resources:
            requests: {{cpu: {cpu}m, memory: {mem}Mi}}
            limits: {{cpu: "1", memory: 1Gi}}
          readinessProbe:
            httpGet: {{path: /healthz, port: http}}
            periodSeconds: 10
          volumeMounts:
            - name: config
              mountPath: /etc/app
              readOnly: true
      volumes:
        - name: config
          configMap:
            name: app-{i}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-{i}
  namespace: team-{ns}
data:
  app.properties: |
    server.port=8080
    cache.size={cache}
    tenant=team-{ns}
  logging.yaml: |-
    level: info
    format: json
---
apiVersion: v1
kind: Service
metadata:
  name: app-{i}
  namespace: team-{ns}
spec:
  selector:
    app.kubernetes.io/name: app-{i}
  ports:
    - name: http
      port: 80
      targetPort: http
---
"""

written = 0
i = 0
with open(path, "w") as out:
    while written < target:
        text = DEPLOYMENT.format(i=i, ns=i % 37, tier=rng.choice(["web", "api", "worker"]),
                                 replicas=rng.randint(1, 9), minor=rng.randint(0, 40), patch=rng.randint(0, 9),
                                 cache=rng.randint(64, 4096), cpu=rng.randint(50, 900), mem=rng.randint(64, 2048))
        out.write(text)
        written += len(text)
        i += 1
print(f"{path}: {written / 1e6:.1f} MB, {i * 3} documents")
