{{- define "features.name" -}}
{{ .Release.Name }}-{{ .Chart.Name }}
{{- end }}
{{- define "features.kv" -}}
{{- range $k, $v := . }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}

@@@@
global:
  region: eu-west-1
  tier: web
big: 1000000
huge: 1e21
small: 0.1
negative: -3
octal: 0777
y: on
n: yes
"on": off
template: "{{ .Release.Name }}-{{ .Values.global.region }}"
list: [c, a, b]
map: {zeta: 1, alpha: 2}
message: "a: b # not a comment"
sub:
  enabled: true
  color: blue
second:
  color: green
tags:
  extra: true
off:
  enabled: false
