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
  url: string;
  upstreamUrl: string;
  signerAddress: string;
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
