{{/* Chart name, truncated to the 63 characters of a DNS label. */}}
{{- define "adal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: release-chart, unless the release already
contains the chart name. */}}
{{- define "adal.fullname" -}}
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

{{- define "adal.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "adal.labels" -}}
helm.sh/chart: {{ include "adal.chart" . }}
{{ include "adal.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels; add app.kubernetes.io/component per workload. */}}
{{- define "adal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "adal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The fewest pods a component (the dict under .Values: api or worker)
runs: what a PodDisruptionBudget protects. */}}
{{- define "adal.minReplicas" -}}
{{- if .autoscaling.enabled }}{{ int .autoscaling.minReplicas }}{{ else }}{{ int .replicas }}{{ end }}
{{- end }}

{{- define "adal.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "adal.configMapName" -}}
{{- printf "%s-config" (include "adal.fullname" .) }}
{{- end }}

{{/* Rejects values the service would refuse at start-up. */}}
{{- define "adal.validate" -}}
{{- if not (has .Values.smtp.security (list "none" "starttls" "tls")) }}
{{- fail (printf "smtp.security must be none, starttls or tls, not %q" (toString .Values.smtp.security)) }}
{{- end }}
{{- if not (has .Values.logFormat (list "json" "text")) }}
{{- fail (printf "logFormat must be json or text, not %q" (toString .Values.logFormat)) }}
{{- end }}
{{- if not .Values.database.existingSecret }}
{{- fail "database.existingSecret is required: a Secret holding the PostgreSQL URL (see helm/README.md)" }}
{{- end }}
{{- if not .Values.reporting.existingSecret }}
{{- fail "reporting.existingSecret is required: a Secret holding the feedback channel's key and secret, the same for every pod (see helm/README.md)" }}
{{- end }}
{{- if and (not .Values.redis.existingSecret) (not .Values.redis.url) }}
{{- fail "set redis.url or redis.existingSecret" }}
{{- end }}
{{- range $name := list "api" "worker" }}
{{- $c := get $.Values $name }}
{{- if $c.autoscaling.enabled }}
{{- if gt (int $c.autoscaling.minReplicas) (int $c.autoscaling.maxReplicas) }}
{{- fail (printf "%s.autoscaling.minReplicas (%d) is above %s.autoscaling.maxReplicas (%d)" $name (int $c.autoscaling.minReplicas) $name (int $c.autoscaling.maxReplicas)) }}
{{- end }}
{{- /* Without a request the autoscaler has nothing to measure
utilisation against and never scales, saying so only in its events. */}}
{{- if not (dig "requests" "cpu" "" ($c.resources | default dict)) }}
{{- fail (printf "%s.autoscaling.enabled needs %s.resources.requests.cpu: CPU utilisation is measured against it" $name $name) }}
{{- end }}
{{- end }}
{{- end }}
{{- if .Values.networkPolicy.enabled }}
{{- $needed := list "dns" "database" "redis" }}
{{- if .Values.smtp.host }}{{ $needed = append $needed "smtp" }}{{ end }}
{{- range $needed }}
{{- $to := get $.Values.networkPolicy.egress . }}
{{- if and (empty $to.cidrs) (empty $to.peers) }}
{{- fail (printf "networkPolicy.enabled needs networkPolicy.egress.%s.cidrs or .peers: without them the pods cannot reach it" .) }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.metrics.serviceMonitor }}
{{- if .enabled }}
{{- if not $.Values.metrics.tokenSecret.name }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.tokenSecret.name: the ServiceMonitors send the service's /metrics token from that Secret" }}
{{- end }}
{{- /* Prometheus refuses a scrape config whose timeout exceeds its
interval, but only once the operator has passed it on: say so now. */}}
{{- if gt (int64 (include "adal.durationMs" .scrapeTimeout)) (int64 (include "adal.durationMs" .interval)) }}
{{- fail (printf "metrics.serviceMonitor.scrapeTimeout (%s) is longer than metrics.serviceMonitor.interval (%s)" .scrapeTimeout .interval) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* A Prometheus duration (1m30s, 500ms, ...; values.schema.json checks
the form) in milliseconds. */}}
{{- define "adal.durationMs" -}}
{{- $ms := dict "ms" 1 "s" 1000 "m" 60000 "h" 3600000 "d" 86400000 "w" 604800000 "y" 31536000000 -}}
{{- $total := 0 -}}
{{- /* "ms" comes first in the alternation so that 5ms is not 5m. */ -}}
{{- range regexFindAll "[0-9]+(ms|y|w|d|h|m|s)" (toString .) -1 -}}
{{- $total = add $total (mul (int64 (regexFind "^[0-9]+" .)) (get $ms (regexReplaceAll "^[0-9]+" . ""))) -}}
{{- end -}}
{{- $total -}}
{{- end }}

{{/* A memory quantity (128974848, 129e6, 129M, 123Mi, 1Gi, ...) in MiB,
as a float. */}}
{{- define "adal.mebibytes" -}}
{{- $q := toString . -}}
{{- $units := dict "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "k" 1000.0 "M" 1000000.0 "G" 1000000000.0 "T" 1000000000000.0 -}}
{{- $bytes := 0.0 -}}
{{- $matched := false -}}
{{- range $suffix, $factor := $units -}}
{{- if and (not $matched) (hasSuffix $suffix $q) (regexMatch "^[0-9.]+$" (trimSuffix $suffix $q)) -}}
{{- $bytes = mulf (float64 (trimSuffix $suffix $q)) $factor -}}
{{- $matched = true -}}
{{- end -}}
{{- end -}}
{{- if not $matched -}}
{{- if regexMatch "^[0-9.]+(e[0-9]+)?$" $q -}}
{{- $bytes = float64 $q -}}
{{- else -}}
{{- fail (printf "cannot read the memory quantity %q" $q) -}}
{{- end -}}
{{- end -}}
{{- divf $bytes 1048576.0 -}}
{{- end }}

{{/* Fails when a container's memory limit cannot hold its sandbox
processes plus the adal process. Takes a dict: name, resources,
processes, root (the top context). */}}
{{- define "adal.checkMemory" -}}
{{- $v := .root.Values -}}
{{- $limit := dig "limits" "memory" "" (.resources | default dict) -}}
{{- if $limit }}
{{- $need := add (mul (int .processes) (int $v.sandbox.memoryMb)) (int $v.processMemoryMb) -}}
{{- $have := float64 (include "adal.mebibytes" $limit) -}}
{{- if lt $have (float64 $need) }}
{{- fail (printf "%s.resources.limits.memory (%s) is below what its %d sandbox processes × sandbox.memoryMb (%d) + processMemoryMb (%d) need: %dMi" .name (toString $limit) (int .processes) (int $v.sandbox.memoryMb) (int $v.processMemoryMb) $need) }}
{{- end }}
{{- end }}
{{- end }}

{{/* The secret files, named by ADAL_*_FILE variables (api and worker;
the migrate job lists its one secret itself). */}}
{{- define "adal.secretEnv" -}}
- name: ADAL_DATABASE_URL_FILE
  value: /secrets/database/url
- name: ADAL_REPORTING__KEY_FILE
  value: /secrets/reporting/key
- name: ADAL_REPORTING__SECRET_FILE
  value: /secrets/reporting/secret
{{- if .Values.redis.existingSecret }}
- name: ADAL_QUEUE__REDIS_URL_FILE
  value: /secrets/redis/url
{{- end }}
{{- if .Values.smtp.existingSecret }}
- name: ADAL_SMTP__PASSWORD_FILE
  value: /secrets/smtp/password
{{- end }}
{{- if .Values.metrics.tokenSecret.name }}
- name: ADAL_METRICS_TOKEN_FILE
  value: /secrets/metrics/token
{{- end }}
{{- end }}

{{/* Volumes of every adal pod: the secrets (read-only) and the writable
emptyDirs the read-only root filesystem needs. */}}
{{- define "adal.volumes" -}}
- name: database
  secret:
    secretName: {{ .Values.database.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .Values.database.key }}
        path: url
- name: reporting
  secret:
    secretName: {{ .Values.reporting.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .Values.reporting.keyKey }}
        path: key
      - key: {{ .Values.reporting.secretKey }}
        path: secret
{{- if .Values.redis.existingSecret }}
- name: redis
  secret:
    secretName: {{ .Values.redis.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .Values.redis.key }}
        path: url
{{- end }}
{{- if .Values.smtp.existingSecret }}
- name: smtp
  secret:
    secretName: {{ .Values.smtp.existingSecret }}
    defaultMode: 0440
    items:
      - key: {{ .Values.smtp.key }}
        path: password
{{- end }}
{{- if .Values.metrics.tokenSecret.name }}
- name: metrics-token
  secret:
    secretName: {{ .Values.metrics.tokenSecret.name }}
    defaultMode: 0440
    items:
      - key: {{ .Values.metrics.tokenSecret.key }}
        path: token
{{- end }}
- name: data
  emptyDir: {}
- name: tmp
  emptyDir: {}
{{- end }}

{{- define "adal.volumeMounts" -}}
- name: database
  mountPath: /secrets/database
  readOnly: true
- name: reporting
  mountPath: /secrets/reporting
  readOnly: true
{{- if .Values.redis.existingSecret }}
- name: redis
  mountPath: /secrets/redis
  readOnly: true
{{- end }}
{{- if .Values.smtp.existingSecret }}
- name: smtp
  mountPath: /secrets/smtp
  readOnly: true
{{- end }}
{{- if .Values.metrics.tokenSecret.name }}
- name: metrics-token
  mountPath: /secrets/metrics
  readOnly: true
{{- end }}
- name: data
  mountPath: /var/lib/adal
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* One NetworkPolicy egress rule: to a destination of
networkPolicy.egress (its cidrs and peers), on the given ports. Takes a
dict: to, ports (a list of dicts with port and protocol). */}}
{{- define "adal.egressRule" -}}
- to:
    {{- range .to.cidrs }}
    - ipBlock:
        cidr: {{ . }}
    {{- end }}
    {{- with .to.peers }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    {{- range .ports }}
    - port: {{ .port }}
      protocol: {{ .protocol }}
    {{- end }}
{{- end }}

{{/* The egress rules every adal pod needs: DNS and the database. */}}
{{- define "adal.egressBase" -}}
{{- $e := .Values.networkPolicy.egress -}}
{{ include "adal.egressRule" (dict "to" $e.dns "ports" (list (dict "port" 53 "protocol" "UDP") (dict "port" 53 "protocol" "TCP"))) }}
{{ include "adal.egressRule" (dict "to" $e.database "ports" (list (dict "port" (int $e.database.port) "protocol" "TCP"))) }}
{{- end }}
