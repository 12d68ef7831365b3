{{/* Names and the pieces every pod shares. */}}
{{- define "motcua.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}

{{- define "motcua.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "motcua.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* A pinned image: no tag, or "latest", stops the render. */}}
{{- define "motcua.image" -}}
{{- $tag := required "image.tag is required (pin a release)" .Values.image.tag | toString -}}
{{- if eq $tag "latest" -}}{{- fail "image.tag must be pinned, not \"latest\"" -}}{{- end -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}

{{- define "motcua.env" -}}
- name: DJANGO_SETTINGS_MODULE
  value: portal.settings.production
{{- range $name, $value := .Values.config }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
- name: CLAMD_HOST
  value: {{ .Values.clamd.host | quote }}
- name: CLAMD_PORT
  value: {{ .Values.clamd.port | toString | quote }}
{{- if .Values.objectStorage.enabled }}
- name: PRIVATE_STORAGE_BUCKET
  value: {{ required "objectStorage.bucket is required" .Values.objectStorage.bucket | quote }}
- name: PRIVATE_STORAGE_ENDPOINT_URL
  value: {{ .Values.objectStorage.endpoint | quote }}
- name: PRIVATE_STORAGE_REGION
  value: {{ .Values.objectStorage.region | quote }}
{{- end }}
{{- if .Values.signing.existingSecret }}
- name: RESULT_SIGNING_CERT
  value: /etc/motcua/signing/agency.pem
- name: RESULT_SIGNING_KEY
  value: /etc/motcua/signing/agency.key
- name: RESULT_SIGNING_CA
  value: /etc/motcua/signing/ca.pem
- name: RESULT_SIGNING_AGENCY_DIR
  value: /etc/motcua/signing/agencies
- name: RESULT_SIGNING_DEMO_ISSUE
  value: "false"
{{- end }}
{{- $secret := required "existingSecret is required: the name of a Secret holding the portal's secrets" .Values.existingSecret }}
{{- range .Values.secretEnv.required }}
- name: {{ . }}
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ . }}}
{{- end }}
{{- range .Values.secretEnv.optional }}
- name: {{ . }}
  valueFrom:
    secretKeyRef: {name: {{ $secret }}, key: {{ . }}, optional: true}
{{- end }}
{{- end -}}

{{/* Read-only root filesystem: /tmp and var/ are the only writable places. */}}
{{- define "motcua.containerSecurity" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{- define "motcua.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: var
  mountPath: /app/var
{{- if .Values.signing.existingSecret }}
- name: signing
  mountPath: /etc/motcua/signing
  readOnly: true
{{- end }}
{{- end -}}

{{- define "motcua.volumes" -}}
- name: tmp
  emptyDir: {}
- name: var
{{- if and (not .Values.objectStorage.enabled) .Values.persistence.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.persistence.existingClaim }}
{{- else if not .Values.objectStorage.enabled }}
{{- fail "objectStorage.enabled=false needs persistence.existingClaim (a ReadWriteMany volume) for the private files" }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- if .Values.signing.existingSecret }}
- name: signing
  secret:
    secretName: {{ .Values.signing.existingSecret }}
    defaultMode: 0400
{{- end }}
{{- end -}}

{{- define "motcua.podSpecCommon" -}}
serviceAccountName: {{ include "motcua.fullname" . }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  {{- include "motcua.volumes" . | nindent 2 }}
{{- end -}}
