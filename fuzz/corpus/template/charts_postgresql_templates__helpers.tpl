{{- define "postgresql.labels" -}}
app.kubernetes.io/name: postgresql
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: blog
app.kubernetes.io/managed-by: gitops
{{- end -}}

{{- define "postgresql.selectorLabels" -}}
app.kubernetes.io/name: postgresql
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "postgresql.credentials" -}}
- name: POSTGRES_USER
  valueFrom:
    secretKeyRef:
      name: {{ required "existingSecret must name the Secret with the database credentials" .Values.existingSecret }}
      key: username
- name: POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.existingSecret }}
      key: password
- name: POSTGRES_DB
  value: {{ .Values.database | quote }}
{{- end -}}

@@@@
image:
  repository: docker.io/library/postgres
  tag: "16.4-alpine"
database: blog
# Secret with keys username and password: a SOPS-encrypted Secret in the environment
# (environments/<env>/platform/blog-database.sops.yaml), or made by the External Secrets
# Operator from a secret manager (externalSecret below).
existingSecret: blog-database
# For teams that keep credentials in a secret manager (AWS Secrets Manager, Vault, ...): an
# ExternalSecret that makes the `existingSecret` Secret from the manager's `remoteKey` (its
# properties username and password), through the store the cluster's operator configured.
externalSecret:
  enabled: false
  secretStore:
    name: ""                       # required when enabled
    kind: ClusterSecretStore       # or SecretStore
  remoteKey: blog/database
  refreshInterval: 1h
storage:
  size: 10Gi
  storageClassName: ""
resources:
  requests:
    cpu: 250m
    memory: 512Mi
  limits:
    cpu: "1"
    memory: 1Gi
backup:
  enabled: true
  schedule: "15 3 * * *"
  resources:
    requests:
      cpu: 100m
      memory: 128Mi
    limits:
      cpu: 500m
      memory: 512Mi
  storage:
    size: 20Gi
