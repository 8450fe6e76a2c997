{{- define "features.name" -}}
{{ .Release.Name }}-{{ .Chart.Name }}
{{- end }}
{{- define "features.kv" -}}
{{- range $k, $v := . }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}
