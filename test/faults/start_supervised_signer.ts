import type { Hex } from "viem";
import { generateKey } from "../../host-agent/mod.ts";
import { createSignerClient, parseSignerAddress } from "../../signer/mod.ts";
import { nodeTransport } from "../../signer/mod_node.ts";
import { startDaemonFixture } from "../host-agent/helpers/daemon_fixture.ts";
import { startAwsMiddlebox, type AwsMiddlebox } from "./start_aws_middlebox.ts";
import { startMiddlebox, type Middlebox } from "./start_middlebox.ts";

export type SupervisedSigner = {
  readonly signerAddress: string;
  readonly account: Hex;
  /** In front of Secrets Manager (the daemon's endpoint): can throttle or answer 503. */
  readonly secretsBox: AwsMiddlebox;
  /** Between the vsock-proxy and KMS (the signer's Decrypt path, TLS inside): can play dead. */
  readonly kmsBox: Middlebox;
  /** The daemon's JSON log lines. */
  readonly logs: string[];
  readonly daemonPid: number;
  stop(): Promise<void>;
};

/**
 * The signer as on an instance: the real `host-agent daemon` (IMDS, KMS and Secrets Manager stand-ins, the
 * vsock-proxy) supervising the real Deno signer through the fake nitro-cli (test/fakes), with one key generated
 * and stored on first start. It restarts a killed or hung signer and loads its keys again; key records are read
 * through `secretsBox` and the signer's KMS calls go through `kmsBox`, so both can fail on demand.
 * (`npm start` runs the same daemon in-process with its local enclave runner; here it is the production entry
 * point, `host-agent/main_node.ts daemon`, as its own process with the fake nitro-cli, so that the faults hit
 * the daemon exactly as systemd runs it.)
 *
 * @example
 * ```ts
 * const supervised = await startSupervisedSigner({ keySyncIntervalMs: 5000 });
 * supervised.secretsBox.setMode("throttle");
 * await supervised.stop();
 * ```
 */
export async function startSupervisedSigner(options: { keySyncIntervalMs?: number } = {}): Promise<SupervisedSigner> {
  let kmsBox: Middlebox | undefined;
  let secretsBox: AwsMiddlebox | undefined;
  // The daemon fixture of the host-agent's tests, with a middlebox on each AWS path.
  const fixture = await startDaemonFixture({
    tempPrefix: "supervised-",
    kmsFront: async (port) => (kmsBox = await startMiddlebox(`127.0.0.1:${port}`)),
    secretsFront: async (url, caPem) => (secretsBox = await startAwsMiddlebox(url, caPem)),
    watchIntervalMs: 500,
    restartBackoffMs: 200,
    keySyncIntervalMs: options.keySyncIntervalMs ?? 0,
  });
  const signerAddress = `unix://${fixture.socket}`;
  const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(signerAddress)));
  try {
    await fixture.waitForStatus("the daemon's first signer", (s) => s.ready);
    // First start: one key, generated in the signer and stored as a record (what `host-agent keys generate` does).
    const { address } = await generateKey({ signer, secrets: fixture.secrets, prefix: fixture.prefix, kmsKeyId: fixture.kmsKeyId }, { label: "faults" });
    return {
      signerAddress,
      account: address as Hex,
      secretsBox: secretsBox!,
      kmsBox: kmsBox!,
      logs: fixture.logs,
      daemonPid: fixture.daemon.child.pid!,
      async stop() {
        signer.close();
        await fixture.stop();
      },
    };
  } catch (error) {
    signer.close();
    await fixture.stop();
    throw error;
  }
}
