import {
  ARTIFACT_PATHS,
  type ArtifactName,
  EIF_PATH,
  ENV_FILE,
  HEALTH_PATH,
  HOST_AGENT_BIN,
  INSTALL_DIR,
  LOG_DIR,
  PROXY_PORT,
  READY_PATH,
  RPC_PROXY_BIN,
  SERVICES,
  type ServiceName,
  STATUS_FILE,
  SYSTEMD_UNITS,
  VSOCK_PROXY_CONFIG,
} from "./constants.ts";
import type { S3Location } from "./signer_artifacts.ts";

export type RenderBootstrapScriptParameters = {
  /** The region the instances run in (the vsock-proxy allowlist names its KMS endpoint). */
  readonly region: string;
  /** Contents of /etc/nitro-signer/env, the units' EnvironmentFile. Values may be CDK tokens. */
  readonly env: Readonly<Record<string, string>>;
  /** The zipped `host-agent/systemd` folder. */
  readonly units: S3Location;
  /** Service binaries and EIF; `undefined` when the deployment has none (bootstrap then fails on purpose). */
  readonly binaries: Readonly<Record<ArtifactName, S3Location>> | undefined;
  /** PCR0 the EIF must measure to; `undefined` skips the check (debug-mode enclaves report zeros anyway). */
  readonly expectedPcr0: string | undefined;
  /** CloudWatch log group name per service. Values may be CDK tokens. */
  readonly logGroups: Readonly<Record<ServiceName, string>>;
  /** The stack and the Auto Scaling group's logical id, for the CloudFormation resource signal. */
  readonly signal: { readonly stackName: string; readonly logicalId: string };
  /** How long to wait for the enclave and the rpc-proxy before failing the bootstrap. @default 600 */
  readonly readyTimeoutSeconds?: number;
};

export type RenderBootstrapScriptReturnType = string[];

const CW_AGENT_CONFIG = "/opt/aws/amazon-cloudwatch-agent/etc/nitro-signer.json";

/**
 * The instance bootstrap (user data), as bash lines: install the Nitro CLI and the CloudWatch agent, write the
 * env file and the vsock-proxy allowlist, install the systemd units, binaries and EIF, check the EIF's PCR0
 * against the key policy, start everything, wait until the host-agent reports the enclave ready (keys loaded
 * through KMS, so a PCR0 the key policy refuses fails here) and the rpc-proxy is up, and signal CloudFormation
 * SUCCESS (or FAILURE on any error), which is what paces the Auto Scaling group's rolling updates.
 *
 * @example
 * ```ts
 * userData.addCommands(...renderBootstrapScript({ region: "us-east-1", env, units, binaries, … }));
 * ```
 */
export function renderBootstrapScript(p: RenderBootstrapScriptParameters): RenderBootstrapScriptReturnType {
  const readyTimeout = p.readyTimeoutSeconds ?? 600;
  if (!Number.isInteger(readyTimeout) || readyTimeout <= 0) {
    throw new RangeError(`Cannot render the bootstrap: readyTimeoutSeconds ${readyTimeout} is not a positive integer`);
  }
  const s3 = (l: S3Location): string => `s3://${l.bucket}/${l.key}`;
  const lines: string[] = [
    "set -euo pipefail",
    `export AWS_REGION=${p.region} AWS_DEFAULT_REGION=${p.region}`,
    "echo 'nitro-signer: bootstrap starting'",
    "",
    "# CloudFormation resource signal on exit: SUCCESS only if every step below succeeded. Instances launched by",
    "# scaling (not by a stack operation) have nobody waiting for them; their signal is refused, harmlessly.",
    'IMDS_TOKEN=$(curl -sSf -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 600")',
    'INSTANCE_ID=$(curl -sSf -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" http://169.254.169.254/latest/meta-data/instance-id)',
    "signal_cloudformation() {",
    '  local status=SUCCESS; [ "$1" -eq 0 ] || status=FAILURE',
    `  echo "nitro-signer: bootstrap finished with exit code $1, signalling $status"`,
    `  aws cloudformation signal-resource --stack-name ${p.signal.stackName} --logical-resource-id ${p.signal.logicalId} \\`,
    '    --unique-id "$INSTANCE_ID" --status "$status" || echo "nitro-signer: signal not accepted (no stack operation waiting)"',
    "}",
    "trap 'signal_cloudformation $?' EXIT",
    "retry() { local n; for n in 1 2 3 4 5; do \"$@\" && return 0; echo \"nitro-signer: retry $n: $*\"; sleep $((n * 5)); done; return 1; }",
    "",
    "retry dnf install -y aws-nitro-enclaves-cli amazon-cloudwatch-agent jq unzip logrotate",
    "id -u nitro-signer >/dev/null 2>&1 || useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /sbin/nologin nitro-signer",
    "usermod -a -G ne nitro-signer",
    `install -d -m 0755 ${INSTALL_DIR} ${INSTALL_DIR}/bin ${INSTALL_DIR}/systemd`,
    `install -d -m 0750 -o root -g nitro-signer ${dirname(ENV_FILE)}`,
    `install -d -m 0750 -o nitro-signer -g nitro-signer ${LOG_DIR}`,
    "",
    ...heredoc(ENV_FILE, envLines(p.env)),
    `chown root:nitro-signer ${ENV_FILE} && chmod 0640 ${ENV_FILE}`,
    ...heredoc(VSOCK_PROXY_CONFIG, ["allowlist:", `- {address: kms.${p.region}.amazonaws.com, port: 443}`]),
    "",
    `retry aws s3 cp --only-show-errors ${s3(p.units)} ${INSTALL_DIR}/systemd.zip`,
    `unzip -o -q ${INSTALL_DIR}/systemd.zip -d ${INSTALL_DIR}/systemd`,
    ...SYSTEMD_UNITS.map((unit) => `install -m 0644 ${INSTALL_DIR}/systemd/${unit} /etc/systemd/system/${unit}`),
  ];

  if (p.binaries === undefined) {
    lines.push(
      "echo 'nitro-signer: this deployment has no service binaries or EIF (no artifactBucket, no local dist/ at synth)' >&2",
      "exit 1",
    );
    return lines;
  }
  const targets: Record<ArtifactName, [string, string]> = {
    hostAgent: [HOST_AGENT_BIN, "0755"],
    rpcProxy: [RPC_PROXY_BIN, "0755"],
    eif: [EIF_PATH, "0644"],
  };
  for (const name of Object.keys(ARTIFACT_PATHS) as ArtifactName[]) {
    const [path, mode] = targets[name];
    lines.push(`retry aws s3 cp --only-show-errors ${s3(p.binaries[name])} ${path}.download`, `install -m ${mode} ${path}.download ${path} && rm -f ${path}.download`);
  }
  lines.push(
    "",
    `MEASURED_PCR0=$(nitro-cli describe-eif --eif-path ${EIF_PATH} | jq -r .Measurements.PCR0 | tr '[:upper:]' '[:lower:]')`,
    'echo "nitro-signer: EIF PCR0 $MEASURED_PCR0"',
  );
  if (p.expectedPcr0 !== undefined) {
    lines.push(
      `if [ "$MEASURED_PCR0" != "${p.expectedPcr0}" ]; then`,
      `  echo "nitro-signer: the EIF measures $MEASURED_PCR0 but the key policy expects ${p.expectedPcr0}; refusing to start" >&2`,
      "  exit 1",
      "fi",
    );
  }

  const collect = SERVICES.map((service) => ({
    file_path: `${LOG_DIR}/${service}.log`,
    log_group_name: p.logGroups[service],
    log_stream_name: "{instance_id}",
  }));
  lines.push(
    "",
    ...heredoc(CW_AGENT_CONFIG, JSON.stringify({ logs: { logs_collected: { files: { collect_list: collect } } } }, null, 2).split("\n")),
    `/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:${CW_AGENT_CONFIG}`,
    ...heredoc("/etc/logrotate.d/nitro-signer", [
      `${LOG_DIR}/*.log {`,
      "  daily",
      "  maxsize 100M",
      "  rotate 7",
      "  compress",
      "  delaycompress",
      "  missingok",
      "  notifempty",
      "  copytruncate",
      "}",
    ]),
    "systemctl enable --now logrotate.timer || true",
    "",
    "systemctl daemon-reload",
    "systemctl enable nitro-enclaves-allocator.service",
    `systemctl enable --now ${SYSTEMD_UNITS.join(" ")}`,
    "",
    "# Ready to serve: the host-agent reports the enclave running, answering and holding its keys (a fresh",
    "# deployment has none yet, which is ready), and the rpc-proxy is up. Not /readyz: it also needs the Ethereum",
    "# node and at least one key, which an instance cannot vouch for; the NLB uses it to route.",
    `deadline=$((SECONDS + ${readyTimeout}))`,
    `until jq -e '.ready == true' ${STATUS_FILE} >/dev/null 2>&1 && curl -sf -o /dev/null http://127.0.0.1:${PROXY_PORT}${HEALTH_PATH}; do`,
    `  if [ "$SECONDS" -ge "$deadline" ]; then echo "nitro-signer: not ready after ${readyTimeout}s: $(cat ${STATUS_FILE} 2>/dev/null | jq -c '{state, lastError}' 2>/dev/null)" >&2; exit 1; fi`,
    "  sleep 5",
    "done",
    `curl -s http://127.0.0.1:${PROXY_PORT}${READY_PATH} || true`,
    "echo",
    "echo 'nitro-signer: ready'",
  );
  return lines;
}

/** `KEY="value"` lines for a systemd EnvironmentFile (which takes double quotes and backslash escapes). */
function envLines(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([key, value]) => {
    if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new TypeError(`Cannot write env variable "${key}": not an UPPER_SNAKE name`);
    if (/[\r\n]/.test(value)) throw new TypeError(`Cannot write env variable ${key}: its value contains a line break`);
    return `${key}="${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  });
}

/** A quoted heredoc: bash expands nothing inside it. */
function heredoc(path: string, body: readonly string[]): string[] {
  const marker = "NITRO_SIGNER_EOF";
  if (body.includes(marker)) throw new TypeError(`Cannot write ${path}: its content contains the heredoc marker`);
  return [`cat > ${path} <<'${marker}'`, ...body, marker];
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf("/"));
}
