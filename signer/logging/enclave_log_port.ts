/**
 * The parent's vsock port where the host-agent receives the signer's log lines (the signer connects to
 * `vsock://3:5001`, CID 3 being the parent; `signer/Dockerfile` names it). Beside the signer's own port 5000
 * and the vsock-proxy's 8000.
 *
 * @example
 * ```ts
 * const address = { transport: "vsock", cid: 3, port: ENCLAVE_LOG_PORT } as const;
 * ```
 */
export const ENCLAVE_LOG_PORT = 5001;
