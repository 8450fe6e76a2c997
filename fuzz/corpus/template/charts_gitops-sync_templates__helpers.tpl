{{/* The name of the job's objects: one job per environment, so the environment is in it. */}}
{{- define "gitops-sync.fullname" -}}
{{- printf "gitops-sync-%s" (required "environment must name the environment this job syncs" .Values.environment) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "gitops-sync.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ include "gitops-sync.version" . | quote }}
app.kubernetes.io/part-of: gitops
app.kubernetes.io/component: sync
app.kubernetes.io/managed-by: gitops
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Labels that select the job's pod (never change them on a running release). */}}
{{- define "gitops-sync.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "gitops-sync.version" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{/* The image reference: by digest when one is pinned, by tag otherwise. */}}
{{- define "gitops-sync.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (include "gitops-sync.version" .) -}}
{{- end -}}
{{- end -}}

@@@@
