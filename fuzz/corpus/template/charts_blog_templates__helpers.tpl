{{/* The release-scoped name of the blog's objects (at most 63 characters). */}}
{{- define "blog.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "blog.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ include "blog.version" . | quote }}
app.kubernetes.io/part-of: blog
app.kubernetes.io/managed-by: gitops
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Labels that select the blog's pods (never change them on a running release). */}}
{{- define "blog.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "blog.version" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{/* The image reference: by digest when one is pinned, by tag otherwise. */}}
{{- define "blog.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (include "blog.version" .) -}}
{{- end -}}
{{- end -}}

{{- define "blog.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}{{ include "blog.fullname" . }}{{- else -}}default{{- end -}}
{{- end -}}

{{/* Environment shared by the app and its migration job. */}}
{{- define "blog.env" -}}
- name: SPRING_DATASOURCE_URL
  value: {{ printf "jdbc:postgresql://%s:%v/%s" .Values.database.host .Values.database.port .Values.database.name | quote }}
- name: SPRING_DATASOURCE_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ required "database.existingSecret must name the Secret holding the credentials" .Values.database.existingSecret }}
      key: username
- name: SPRING_DATASOURCE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.existingSecret }}
      key: password
- name: SPRING_DATA_REDIS_HOST
  value: {{ .Values.redis.host | quote }}
- name: SPRING_DATA_REDIS_PORT
  value: {{ .Values.redis.port | quote }}
{{- with .Values.redis.existingSecret }}
- name: SPRING_DATA_REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: password
{{- end }}
- name: JAVA_TOOL_OPTIONS
  value: {{ printf "-XX:MaxRAMPercentage=%v %s" .Values.jvm.maxRamPercentage .Values.jvm.extraOptions | quote }}
{{- end -}}

{{/* Restricted pod security: non-root, read-only root filesystem, no capabilities. */}}
{{- define "blog.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

@@@@
