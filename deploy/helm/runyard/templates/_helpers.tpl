{{- define "runyard.name" -}}{{ .Release.Name }}-runyard{{- end -}}
{{- define "runyard.labels" -}}
app.kubernetes.io/name: runyard
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
