{{/* The four services: values key, name, what their HTTP port serves. */}}
{{- define "conflux.services" -}}
webhookReceiver: webhook-receiver
renderer: renderer
applier: applier
notifier: notifier
{{- end -}}

{{- define "conflux.name" -}}
{{- printf "%s-%s" .root.Release.Name .service | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "conflux.labels" -}}
app.kubernetes.io/name: conflux-{{ .service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service }}
app.kubernetes.io/part-of: conflux
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "conflux.selectorLabels" -}}
app.kubernetes.io/name: conflux-{{ .service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "conflux.image" -}}
{{- $tag := default .root.Chart.AppVersion .root.Values.image.tag -}}
{{- printf "%s/%s-%s:%s" .root.Values.image.registry .root.Values.image.repository .service $tag -}}
{{- end -}}

{{- define "conflux.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElectionNamespace -}}
{{- end -}}
