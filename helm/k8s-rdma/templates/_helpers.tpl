{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "k8s-rdma.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix: <release>-<chart>, or <release> when it already contains the chart name. */}}
{{- define "k8s-rdma.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "k8s-rdma.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every resource. */}}
{{- define "k8s-rdma.labels" -}}
helm.sh/chart: {{ include "k8s-rdma.chart" . }}
app.kubernetes.io/name: {{ include "k8s-rdma.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: k8s-rdma
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component: include with (dict "ctx" $ "component" "agent"). */}}
{{- define "k8s-rdma.selectorLabels" -}}
app.kubernetes.io/name: {{ include "k8s-rdma.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Full labels of one component. */}}
{{- define "k8s-rdma.componentLabels" -}}
{{ include "k8s-rdma.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "k8s-rdma.agent.fullname" -}}
{{- printf "%s-agent" (include "k8s-rdma.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "k8s-rdma.extender.fullname" -}}
{{- printf "%s-extender" (include "k8s-rdma.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "k8s-rdma.scheduler.fullname" -}}
{{- printf "%s-scheduler" (include "k8s-rdma.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* image reference: include with (dict "image" .Values.agent.image "ctx" $). */}}
{{- define "k8s-rdma.image" -}}
{{- printf "%s:%s" .image.repository (default .ctx.Chart.AppVersion .image.tag) }}
{{- end }}

{{/* The extender's in-cluster host name, which its certificate names. */}}
{{- define "k8s-rdma.extender.host" -}}
{{- printf "%s.%s.svc" (include "k8s-rdma.extender.fullname" .) .Release.Namespace }}
{{- end }}

{{/* The extender's in-cluster base URL, as kube-scheduler's urlPrefix. */}}
{{- define "k8s-rdma.extender.url" -}}
{{- printf "%s://%s:%d" (include "k8s-rdma.extender.scheme" . | lower) (include "k8s-rdma.extender.host" .) (int .Values.extender.port) }}
{{- end }}

{{/* HTTPS or HTTP: the extender's scheme, as probes spell it; also the name of its port. */}}
{{- define "k8s-rdma.extender.scheme" -}}
{{- if .Values.extender.tls.enabled }}HTTPS{{ else }}HTTP{{ end }}
{{- end }}

{{/* The Secret with the extender's certificate and the CA of the scheduler's. */}}
{{- define "k8s-rdma.extender.tlsSecret" -}}
{{- default (printf "%s-tls" (include "k8s-rdma.extender.fullname" .)) .Values.extender.tls.serverSecret }}
{{- end }}

{{/* The Secret with the scheduler's client certificate and the CA of the extender's. */}}
{{- define "k8s-rdma.extender.clientTlsSecret" -}}
{{- default (printf "%s-client-tls" (include "k8s-rdma.extender.fullname" .)) .Values.extender.tls.clientSecret }}
{{- end }}

{{/*
The generated TLS material (extender.tls.enabled without serverSecret/clientSecret), as JSON:
{"server": {...}, "client": {...}}, each a Secret's data (tls.crt, tls.key, ca.crt; base64). On an
upgrade the Secrets the cluster holds are kept; otherwise a new CA signs both certificates. Made
once per render and kept in .Values, as every include runs a template again and genCA would make
another CA each time: the Secrets and the scheduler's checksum of the CA must see the same one.
*/}}
{{- define "k8s-rdma.tls.generated" -}}
{{- if not (hasKey .Values "k8sRdmaGeneratedTls") }}
{{- $serverName := include "k8s-rdma.extender.tlsSecret" . }}
{{- $clientName := include "k8s-rdma.extender.clientTlsSecret" . }}
{{- $server := dict }}
{{- $client := dict }}
{{- if .Release.IsUpgrade }}
{{- $server = (lookup "v1" "Secret" .Release.Namespace $serverName).data | default dict }}
{{- $client = (lookup "v1" "Secret" .Release.Namespace $clientName).data | default dict }}
{{- end }}
{{- if not (and (index $server "tls.crt") (index $server "tls.key") (index $server "ca.crt") (index $client "tls.crt") (index $client "tls.key") (index $client "ca.crt")) }}
{{- $svc := include "k8s-rdma.extender.fullname" . }}
{{- $ns := .Release.Namespace }}
{{- $days := int .Values.extender.tls.validityDays }}
{{- $ca := genCA (printf "%s-ca" $svc) $days }}
{{- $names := list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) }}
{{- $extender := genSignedCert $svc nil $names $days $ca }}
{{- $scheduler := genSignedCert "k8s-rdma-scheduler" nil nil $days $ca }}
{{- $server = dict "tls.crt" ($extender.Cert | b64enc) "tls.key" ($extender.Key | b64enc) "ca.crt" ($ca.Cert | b64enc) }}
{{- $client = dict "tls.crt" ($scheduler.Cert | b64enc) "tls.key" ($scheduler.Key | b64enc) "ca.crt" ($ca.Cert | b64enc) }}
{{- end }}
{{- $_ := set .Values "k8sRdmaGeneratedTls" (dict "server" $server "client" $client) }}
{{- end }}
{{- toJson .Values.k8sRdmaGeneratedTls }}
{{- end }}

{{/* Where the chart's kube-scheduler mounts the client Secret. */}}
{{- define "k8s-rdma.scheduler.tlsDir" -}}
{{- if eq .Values.scheduler.mode "second-scheduler" }}/etc/k8s-rdma/extender-client{{ else }}{{ .Values.scheduler.extender.tlsDir }}{{ end }}
{{- end }}

{{/* One entry of KubeSchedulerConfiguration.extenders, pointing at the extender Service. */}}
{{- define "k8s-rdma.scheduler.extenderEntry" -}}
{{- $e := .Values.scheduler.extender -}}
- urlPrefix: {{ include "k8s-rdma.extender.url" . | quote }}
  filterVerb: {{ .Values.extender.verbs.filter | quote }}
  prioritizeVerb: {{ .Values.extender.verbs.prioritize | quote }}
  bindVerb: {{ .Values.extender.verbs.bind | quote }}
  weight: {{ $e.weight }}
  {{- if .Values.extender.tls.enabled }}
  enableHTTPS: true
  {{- $dir := include "k8s-rdma.scheduler.tlsDir" . }}
  tlsConfig:
    {{- /* The name the certificate is checked against, which it holds: the urlPrefix host, and
    still the Service's name when an operator puts the ClusterIP into urlPrefix (a scheduler on
    the host network that cannot resolve it; the certificate names no IP). */}}
    serverName: {{ include "k8s-rdma.extender.host" . | quote }}
    certFile: {{ printf "%s/tls.crt" $dir | quote }}
    keyFile: {{ printf "%s/tls.key" $dir | quote }}
    caFile: {{ printf "%s/ca.crt" $dir | quote }}
  {{- else }}
  enableHTTPS: false
  {{- end }}
  httpTimeout: {{ $e.httpTimeout | quote }}
  nodeCacheCapable: {{ $e.nodeCacheCapable }}
  ignorable: {{ $e.ignorable }}
  {{- with $e.managedResources }}
  managedResources:
    {{- toYaml . | nindent 4 }}
  {{- else }}
  managedResources: []
  {{- end }}
{{- end }}

{{/* Fail on values the schema cannot express. */}}
{{- define "k8s-rdma.validate" -}}
{{- $pdb := .Values.extender.podDisruptionBudget -}}
{{- if and $pdb.enabled (not (kindIs "invalid" $pdb.minAvailable)) (not (kindIs "invalid" $pdb.maxUnavailable)) }}
{{- fail "extender.podDisruptionBudget: set only one of maxUnavailable and minAvailable (set the other to null)" }}
{{- end }}
{{- $tls := .Values.extender.tls -}}
{{- if and $tls.enabled (ne (empty $tls.serverSecret) (empty $tls.clientSecret)) }}
{{- fail "extender.tls: set both serverSecret and clientSecret (each with ca.crt, the CA of the other side's certificate), or neither to have the chart generate them" }}
{{- end }}
{{- if and .Values.agent.vfPolicy.enabled (not .Values.agent.vfPolicy.policies) }}
{{- fail "agent.vfPolicy.enabled is true but agent.vfPolicy.policies is empty: add at least one policy" }}
{{- end }}
{{- end }}
