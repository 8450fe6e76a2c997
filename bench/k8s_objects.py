"""Generates Kubernetes objects of 21 kinds, valid by construction, and mutations of them
(wrong types, missing required fields, unknown fields, bad enum values), deterministically from a
seed. Used by scripts/schema-differential (the verdict corpus) and bench/ (validation speed)."""
import copy
import random


def container(r, name):
    c = {
        "name": name,
        "image": f"registry.example.com/team/app-{r.randint(1, 9)}:1.{r.randint(0, 20)}.{r.randint(0, 9)}",
        "imagePullPolicy": r.choice(["Always", "IfNotPresent", "Never"]),
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "env": [{"name": "MODE", "value": "production"},
                {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "password"}}}],
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}},
        "securityContext": {"runAsNonRoot": True, "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False,
                            "capabilities": {"drop": ["ALL"]}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}, "periodSeconds": 10},
        "livenessProbe": {"tcpSocket": {"port": 8080}, "initialDelaySeconds": 5},
    }
    if r.random() < 0.3:
        c["volumeMounts"] = [{"name": "tmp", "mountPath": "/tmp"}]
    return c


def pod_spec(r):
    spec = {
        "serviceAccountName": "app",
        "securityContext": {"runAsUser": 1000, "fsGroup": 2000, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container(r, "app")],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
        "terminationGracePeriodSeconds": 30,
    }
    if r.random() < 0.3:
        spec["containers"].append(container(r, "sidecar"))
    if r.random() < 0.3:
        spec["tolerations"] = [{"key": "dedicated", "operator": "Equal", "value": "app", "effect": "NoSchedule"}]
    if r.random() < 0.3:
        spec["affinity"] = {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                                "labelSelector": {"matchLabels": {"app": "app"}}}}]}}
    return spec


def meta(r, name, namespaced=True):
    m = {"name": name, "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "bench"}}
    if namespaced:
        m["namespace"] = "team-" + str(r.randint(1, 5))
    if r.random() < 0.3:
        m["annotations"] = {"example.com/owner": "team"}
    return m


def template(r):
    return {"metadata": {"labels": {"app": "app"}}, "spec": pod_spec(r)}


def make(kind, r, i):
    name = f"{kind.lower()}-{i}"
    sel = {"matchLabels": {"app": "app"}}
    if kind == "Deployment":
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"replicas": r.randint(1, 5), "selector": sel, "template": template(r),
                         "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "25%"}}}}
    if kind == "StatefulSet":
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"serviceName": name, "replicas": 3, "selector": sel, "template": template(r),
                         "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                             "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}}}}]}}
    if kind == "DaemonSet":
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"selector": sel, "template": template(r), "updateStrategy": {"type": "RollingUpdate"}}}
    if kind == "Job":
        t = template(r)
        t["spec"]["restartPolicy"] = "Never"
        return {"apiVersion": "batch/v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"backoffLimit": 3, "template": t}}
    if kind == "CronJob":
        t = template(r)
        t["spec"]["restartPolicy"] = "OnFailure"
        return {"apiVersion": "batch/v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"schedule": "*/5 * * * *", "concurrencyPolicy": "Forbid",
                         "jobTemplate": {"spec": {"template": t}}}}
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta(r, name), "spec": pod_spec(r)}
    if kind == "Service":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"type": r.choice(["ClusterIP", "NodePort", "LoadBalancer"]), "selector": {"app": "app"},
                         "ports": [{"name": "http", "port": 80, "targetPort": r.choice(["http", 8080]), "protocol": "TCP"}]}}
    if kind == "ConfigMap":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta(r, name),
                "data": {f"key{j}": f"value {j} " * r.randint(1, 5) for j in range(r.randint(1, 6))}}
    if kind == "Secret":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta(r, name), "type": "Opaque",
                "data": {"password": "c2VjcmV0"}}
    if kind == "Ingress":
        return {"apiVersion": "networking.k8s.io/v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["app.example.com"], "secretName": "tls"}],
                         "rules": [{"host": "app.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                                   "backend": {"service": {"name": "app", "port": {"number": 80}}}}]}}]}}
    if kind == "HorizontalPodAutoscaler":
        return {"apiVersion": "autoscaling/v2", "kind": kind, "metadata": meta(r, name),
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "app"},
                         "minReplicas": 2, "maxReplicas": 10,
                         "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}}
    if kind == "PodDisruptionBudget":
        return {"apiVersion": "policy/v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"minAvailable": r.choice([1, "50%"]), "selector": sel}}
    if kind == "NetworkPolicy":
        return {"apiVersion": "networking.k8s.io/v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"podSelector": sel, "policyTypes": ["Ingress", "Egress"],
                         "ingress": [{"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}],
                                      "ports": [{"protocol": "TCP", "port": 8080}]}],
                         "egress": [{"to": [{"namespaceSelector": {}}], "ports": [{"protocol": "UDP", "port": 53}]}]}}
    if kind == "ServiceAccount":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta(r, name), "automountServiceAccountToken": False}
    if kind == "Role":
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta(r, name),
                "rules": [{"apiGroups": [""], "resources": ["configmaps", "secrets"], "verbs": ["get", "list", "watch"]}]}
    if kind == "RoleBinding":
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta(r, name),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
                "subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": "team-1"}]}
    if kind == "ClusterRole":
        return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta(r, name, False),
                "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list"]}]}
    if kind == "Namespace":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta(r, name, False)}
    if kind == "PersistentVolumeClaim":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
                         "resources": {"requests": {"storage": f"{r.randint(1, 100)}Gi"}}}}
    if kind == "ResourceQuota":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"hard": {"requests.cpu": "4", "requests.memory": "8Gi", "pods": "20"}}}
    if kind == "LimitRange":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta(r, name),
                "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}, "defaultRequest": {"cpu": "100m"}}]}}
    raise ValueError(kind)


KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "Service", "ConfigMap", "Secret", "Ingress",
         "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy", "ServiceAccount", "Role", "RoleBinding",
         "ClusterRole", "Namespace", "PersistentVolumeClaim", "ResourceQuota", "LimitRange"]


def paths(value, prefix=()):
    """Every path to a value inside `value` (objects and lists), excluding apiVersion/kind."""
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            if not prefix and k in ("apiVersion", "kind"):
                continue
            out.append(prefix + (k,))
            out += paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.append(prefix + (i,))
            out += paths(v, prefix + (i,))
    return out


def get(value, path):
    for p in path:
        value = value[p]
    return value


def other_type(r, v):
    options = ["text", 7, 2.5, True, ["x"], {"x": 1}]
    options = [o for o in options if type(o) is not type(v) and not (isinstance(v, dict) and isinstance(o, dict))]
    return copy.deepcopy(r.choice(options))


def mutate(r, obj):
    """A mutated copy and a description of the mutation."""
    o = copy.deepcopy(obj)
    ps = paths(o)
    op = r.choice(["type", "type", "remove", "unknown", "enum", "int-or-string", "null"])
    if op == "type":
        p = r.choice(ps)
        parent = get(o, p[:-1])
        parent[p[-1]] = other_type(r, parent[p[-1]])
        return o, f"type at {'.'.join(map(str, p))}"
    if op == "remove":
        p = r.choice(ps)
        parent = get(o, p[:-1])
        if isinstance(parent, dict):
            del parent[p[-1]]
        else:
            parent.pop(p[-1])
        return o, f"remove {'.'.join(map(str, p))}"
    if op == "unknown":
        dicts = [p for p in ps if isinstance(get(o, p), dict)] + [()]
        p = r.choice(dicts)
        target = get(o, p)
        keys = list(target.keys())
        name = (r.choice(keys)[:-1] + "z") if keys and r.random() < 0.7 else "unknownField"
        target[name] = "x"
        return o, f"unknown field {name} at {'.'.join(map(str, p))}"
    if op == "enum":
        enums = [p for p in ps if p[-1] in ("imagePullPolicy", "protocol", "type", "pathType", "concurrencyPolicy",
                                             "restartPolicy", "operator", "effect")]
        if enums:
            p = r.choice(enums)
            get(o, p[:-1])[p[-1]] = "Sometimes"
            return o, f"enum at {'.'.join(map(str, p))}"
        return o, "unchanged"
    if op == "int-or-string":
        ios = [p for p in ps if p[-1] in ("targetPort", "maxUnavailable", "maxSurge", "minAvailable", "port")]
        if ios:
            p = r.choice(ios)
            get(o, p[:-1])[p[-1]] = r.choice([True, ["80"], {"n": 1}, 1.5])
            return o, f"int-or-string at {'.'.join(map(str, p))}"
        return o, "unchanged"
    p = r.choice(ps)
    get(o, p[:-1])[p[-1]] = None
    return o, f"null at {'.'.join(map(str, p))}"


def generate(count, seed=1, mutation_rate=0.0):
    r = random.Random(seed)
    out = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        obj = make(kind, r, i)
        note = "valid"
        if r.random() < mutation_rate:
            obj, note = mutate(r, obj)
        out.append((obj, note))
    return out
