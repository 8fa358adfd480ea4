{{/*
Names, labels and shared pod pieces. Naming follows `helm create`; component helpers follow the
Bitnami convention `storebridge.<component>.fullname`, truncated at 63 characters.
*/}}

{{- define "storebridge.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "storebridge.fullname" -}}
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

{{- define "storebridge.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Component names: 63 characters at most, whatever the release name. */}}
{{- define "storebridge.component.fullname" -}}
{{- printf "%s-%s" (include "storebridge.fullname" .ctx | trunc (int (sub 62 (len .component)))) .component | trimSuffix "-" }}
{{- end }}
{{- define "storebridge.daemon.fullname" -}}
{{- include "storebridge.component.fullname" (dict "ctx" . "component" "daemon") }}
{{- end }}
{{- define "storebridge.migrate.fullname" -}}
{{- include "storebridge.component.fullname" (dict "ctx" . "component" "migrate") }}
{{- end }}
{{- define "storebridge.config.fullname" -}}
{{- include "storebridge.component.fullname" (dict "ctx" . "component" "config") }}
{{- end }}

{{/* Common labels: never in selectors (the version changes on every upgrade). */}}
{{- define "storebridge.labels" -}}
helm.sh/chart: {{ include "storebridge.chart" . }}
{{ include "storebridge.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: storebridge
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "storebridge.selectorLabels" -}}
app.kubernetes.io/name: {{ include "storebridge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one component: (dict "ctx" $ "component" "worker" "queue" "normal" "track" "stable") */}}
{{- define "storebridge.componentLabels" -}}
{{ include "storebridge.labels" .ctx }}
{{ include "storebridge.componentOnlyLabels" . }}
{{- end }}

{{- define "storebridge.componentSelectorLabels" -}}
{{ include "storebridge.selectorLabels" .ctx }}
{{ include "storebridge.componentOnlyLabels" . }}
{{- end }}

{{- define "storebridge.componentOnlyLabels" -}}
app.kubernetes.io/component: {{ .component }}
{{- with .queue }}
storebridge.io/queue: {{ . }}
{{- end }}
{{- with .track }}
storebridge.io/track: {{ . }}
{{- end }}
{{- end }}

{{- define "storebridge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "storebridge.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "storebridge.secretName" -}}
{{- default (include "storebridge.component.fullname" (dict "ctx" . "component" "secrets")) .Values.secrets.existingSecret }}
{{- end }}

{{/* image reference: (dict "ctx" $ "image" <map with tag/digest>) */}}
{{- define "storebridge.image" -}}
{{- $tag := default .ctx.Chart.AppVersion .image.tag }}
{{- if .image.digest }}
{{- printf "%s@%s" .ctx.Values.image.repository .image.digest }}
{{- else }}
{{- printf "%s:%s" .ctx.Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* terminationGracePeriodSeconds >= preStop + SHUTDOWN_TIMEOUT_S + longest limiter wait + the
worker supervisor's kill grace (15 s): computed, so it can never fall below its parts. */}}
{{- define "storebridge.terminationGracePeriodSeconds" -}}
{{- add .Values.preStopSleepSeconds .Values.shutdownTimeoutSeconds .Values.limiterMaxWaitSeconds 15 }}
{{- end }}

{{/* Pod annotations that roll pods when configuration or secrets change. */}}
{{- define "storebridge.checksumAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.secrets.existingSecret }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}

{{/* Environment of every StoreBridge container. */}}
{{- define "storebridge.envFrom" -}}
- configMapRef:
    name: {{ include "storebridge.config.fullname" . }}
- secretRef:
    name: {{ include "storebridge.secretName" . }}
{{- end }}

{{- define "storebridge.env" -}}
- name: PROMETHEUS_MULTIPROC_DIR
  value: {{ .Values.prometheusMultiprocDir | quote }}
- name: dramatiq_prom_db
  value: {{ .Values.prometheusMultiprocDir | quote }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "storebridge.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: prometheus-multiproc
  mountPath: {{ .Values.prometheusMultiprocDir }}
{{- end }}

{{- define "storebridge.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
- name: prometheus-multiproc
  emptyDir:
    sizeLimit: 64Mi
{{- end }}

{{- define "storebridge.preStop" -}}
lifecycle:
  preStop:
    exec:
      command: ["sleep", "{{ .Values.preStopSleepSeconds }}"]
{{- end }}

{{/* Anti-affinity and topology spread for one workload: (dict "ctx" $ "selector" <yaml labels>) */}}
{{- define "storebridge.scheduling" -}}
{{- $ctx := .ctx }}
{{- if ne $ctx.Values.podAntiAffinityPreset "none" }}
affinity:
  podAntiAffinity:
    {{- if eq $ctx.Values.podAntiAffinityPreset "hard" }}
    requiredDuringSchedulingIgnoredDuringExecution:
      - topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- .selector | nindent 12 }}
    {{- else }}
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              {{- .selector | nindent 14 }}
    {{- end }}
{{- end }}
{{- if $ctx.Values.topologySpread.enabled }}
topologySpreadConstraints:
  {{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
  - maxSkew: {{ $ctx.Values.topologySpread.maxSkew }}
    topologyKey: {{ . }}
    whenUnsatisfiable: {{ $ctx.Values.topologySpread.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- $.selector | nindent 8 }}
  {{- end }}
{{- end }}
{{- with $ctx.Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $ctx.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $ctx.Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end }}

{{/* Shared pod spec head: service account, pull secrets, security context. */}}
{{- define "storebridge.podSpecCommon" -}}
serviceAccountName: {{ include "storebridge.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end }}

{{/* The worker container: (dict "ctx" $ "queue" "normal" "processes" 1 "threads" 4 "prefetch" 0
"image" <map> "resources" <map>). `storebridge worker --queues Q` runs the start-up checks, supervises
the Dramatiq group and serves the pod's /health and /metrics itself (no sidecar). */}}
{{- define "storebridge.workerContainers" -}}
{{- $ctx := .ctx }}
- name: worker
  image: {{ include "storebridge.image" (dict "ctx" $ctx "image" .image) }}
  imagePullPolicy: {{ $ctx.Values.image.pullPolicy }}
  args:
    - worker
    - --queues
    - {{ .queue }}
  envFrom:
    {{- include "storebridge.envFrom" $ctx | nindent 4 }}
  env:
    {{- include "storebridge.env" $ctx | nindent 4 }}
    - name: WORKER_PROCESSES
      value: {{ .processes | quote }}
    - name: {{ printf "WORKER_%s_THREADS" (upper .queue) }}
      value: {{ .threads | quote }}
    - name: WORKER_METRICS_PORT
      value: {{ ternary $ctx.Values.worker.metrics.port 0 $ctx.Values.worker.metrics.enabled | quote }}
    {{- if .prefetch }}
    - name: dramatiq_queue_prefetch
      value: {{ .prefetch | quote }}
    {{- end }}
  {{- if $ctx.Values.worker.metrics.enabled }}
  ports:
    - name: metrics
      containerPort: {{ $ctx.Values.worker.metrics.port }}
      protocol: TCP
  {{- if $ctx.Values.worker.livenessProbe.enabled }}
  livenessProbe:
    httpGet:
      path: /health
      port: metrics
    periodSeconds: {{ $ctx.Values.worker.livenessProbe.periodSeconds }}
    failureThreshold: {{ $ctx.Values.worker.livenessProbe.failureThreshold }}
    timeoutSeconds: 3
  {{- end }}
  {{- if $ctx.Values.worker.readinessProbe.enabled }}
  readinessProbe:
    httpGet:
      path: /health
      port: metrics
    periodSeconds: {{ $ctx.Values.worker.readinessProbe.periodSeconds }}
    timeoutSeconds: 3
  {{- end }}
  {{- end }}
  securityContext:
    {{- toYaml $ctx.Values.containerSecurityContext | nindent 4 }}
  {{- include "storebridge.preStop" $ctx | nindent 2 }}
  resources:
    {{- toYaml .resources | nindent 4 }}
  volumeMounts:
    {{- include "storebridge.volumeMounts" $ctx | nindent 4 }}
{{- end }}
