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
