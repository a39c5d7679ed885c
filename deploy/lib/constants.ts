/**
 * Facts the deployment shares with the services (DESIGN §3, §6, §9). They are the contract between `deploy/` and
 * the code that runs on the instances; change them only together with that code.
 *
 * @example
 * ```ts
 * import { PROXY_PORT } from "./constants.ts";
 * listener.addTargets("Proxy", { port: PROXY_PORT });
 * ```
 */
import { fileURLToPath } from "node:url";

/** The project root (this file is `deploy/lib/constants.ts`); relative context paths resolve against it. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** rpc-proxy: HTTP JSON-RPC port on the parent instance. */
export const PROXY_PORT = 8545;
/** rpc-proxy readiness path (signer, node and keys all ready): printed by the bootstrap, for the operator. */
export const READY_PATH = "/readyz";
/**
 * The NLB target group's health check: 200 when this instance's enclave answers (DESIGN §9). Not `/readyz`: the
 * node and the keys are shared by every instance, and an ELB health check on them would make the group replace
 * the whole fleet during a node outage, or before the first key exists.
 */
export const TARGET_HEALTH_PATH = "/readyz/signer";
/** rpc-proxy liveness path (the process is up). */
export const HEALTH_PATH = "/healthz";
/** The enclave's vsock CID and the signer's vsock port. */
export const SIGNER_CID = 16;
export const SIGNER_PORT = 5000;
/** The parent's vsock-proxy port; it forwards to `kms.<region>.amazonaws.com:443` only. */
export const VSOCK_PROXY_PORT = 8000;

/** The KMS EncryptionContext `app` value the signer puts on every key ciphertext (owned by the signer). */
export { ENCRYPTION_CONTEXT_APP } from "../../signer/mod.ts";
/** Default Secrets Manager name prefix: one secret per account (owned by the host-agent). */
export { DEFAULT_SECRET_PREFIX } from "../../host-agent/mod.ts";

/** PCR0 of a debug-mode enclave: debug enclaves report PCR0/1/2 as 48 zero bytes (DESIGN §5). */
export const DEBUG_PCR0 = "0".repeat(96);

/** Install layout on the instance. */
export const INSTALL_DIR = "/opt/nitro-signer";
export const HOST_AGENT_BIN = `${INSTALL_DIR}/bin/host-agent`;
export const RPC_PROXY_BIN = `${INSTALL_DIR}/bin/rpc-proxy`;
export const EIF_PATH = `${INSTALL_DIR}/signer.eif`;
export const ENV_FILE = "/etc/nitro-signer/env";
export const LOG_DIR = "/var/log/nitro-signer";
/** The host-agent's status file (RuntimeDirectory of its unit); the bootstrap waits for it to say ready. */
export const STATUS_FILE = "/run/nitro-signer/status.json";
export const VSOCK_PROXY_CONFIG = "/etc/nitro_enclaves/vsock-proxy.yaml";

/** The three services whose logs are shipped to CloudWatch (one log group and one file each). */
export const SERVICES = ["signer", "host-agent", "rpc-proxy"] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * Artifact layout, relative to `dist/` locally and to `s3://<artifactBucket>/<artifactPrefix>` remotely (so
 * `aws s3 sync dist/ s3://bucket/prefix/` publishes a build).
 */
export const ARTIFACT_PATHS = {
  hostAgent: "bin/host-agent",
  rpcProxy: "bin/rpc-proxy",
  eif: "enclave/signer.eif",
} as const;
export type ArtifactName = keyof typeof ARTIFACT_PATHS;

/** systemd units installed from `host-agent/systemd/`, in start order. */
export const SYSTEMD_UNITS = [
  "nitro-signer-allocator.service",
  "nitro-signer-vsock-proxy.service",
  "nitro-signer-host-agent.service",
  "nitro-signer-rpc-proxy.service",
] as const;
