/**
 * What the local stack writes to `<state-dir>/stack.json` while it runs: `local/start_local_stack_node.ts` writes
 * it (and removes it on stop), and the host-agent's key commands read it (`openHostContext` without an instance
 * environment) to reach the local signer, the Secrets Manager and KMS stand-ins, and the simulated attestation root.
 * It lives in the host-agent, its reader, so that the host-agent never imports from `local/`.
 *
 * @example
 * ```ts
 * const info: LocalStackInfo = JSON.parse(await readFile(join(stateDir, "stack.json"), "utf8"));
 * ```
 */
export type LocalStackInfo = {
  /** The first instance's JSON-RPC URL, node and signer (the key commands act through that signer). */
  url: string;
  upstreamUrl: string;
  signerAddress: string;
  /**
   * Every local instance (`npm start -- --instances N`), first one first. They share Secrets Manager and KMS:
   * a key or policy stored through one signer is loaded by every instance's host-agent at its next key sync.
   */
  instances?: { url: string; upstreamUrl: string; signerAddress: string; statusFile: string }[];
  region: string;
  secretsEndpoint: string;
  kmsEndpoint: string;
  caFile: string;
  kmsKeyId: string;
  secretPrefix: string;
  hostCredentials: { accessKeyId: string; secretAccessKey: string };
  attestationRootFile: string;
  pcr0: string;
};
