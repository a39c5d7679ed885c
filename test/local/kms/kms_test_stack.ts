// Shared set-up of the KMS tests: a state directory, a simulated Nitro PKI, the KMS stand-in trusting its root,
// the vsock-proxy stand-in in front of it, and a key policy shaped like deploy/'s.
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureLocalCredentials, type LocalCredentials } from "../../../local/aws/ensure_local_credentials_node.ts";
import type { LocalCredential } from "../../../local/aws/local_credential.ts";
import { startKmsStandIn, type KmsStandIn, type StartKmsStandInOptions } from "../../../local/kms/start_kms_stand_in_node.ts";
import { startVsockProxyStandIn, type VsockProxyStandIn } from "../../../local/vsock_proxy/start_vsock_proxy_stand_in_node.ts";
import { createSimulatedPki, type SimulatedPki } from "../../../signer/nsm/simulated/create_simulated_pki.ts";
import { createSimulatedNsm, type SimulatedNsm } from "../../../signer/nsm/simulated/nsm_simulated.ts";

/** Kept here too for the tests that take it with the stack (test/signer/kms). */
export { errorOf } from "../../helpers/error_of.ts";

export const PCR0_GOOD = "a1".repeat(48);
export const PCR0_OTHER = "b2".repeat(48);
export const APP = "nitro-eth-signer";

/** deploy/-like policy: admin manages but cannot decrypt; the instance role encrypts with the app context and
 * decrypts only with an attestation whose PCR0 is PCR0_GOOD; nobody decrypts without an attestation. */
export function signerKeyPolicy(creds: LocalCredentials, pcr0 = PCR0_GOOD): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AdminManage",
        Effect: "Allow",
        Principal: { AWS: creds.admin.principalArn },
        Action: ["kms:Describe*", "kms:Get*", "kms:PutKeyPolicy", "kms:CreateAlias", "kms:Encrypt"],
        Resource: "*",
      },
      {
        Sid: "InstanceEncrypt",
        Effect: "Allow",
        Principal: { AWS: creds.host.principalArn },
        Action: ["kms:Encrypt", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:EncryptionContext:app": APP } },
      },
      {
        Sid: "InstanceDecryptAttested",
        Effect: "Allow",
        Principal: { AWS: creds.host.principalArn },
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: "*",
        Condition: {
          StringEqualsIgnoreCase: { "kms:RecipientAttestation:ImageSha384": pcr0 },
          StringEquals: { "kms:EncryptionContext:app": APP },
        },
      },
      {
        Sid: "NoDecryptWithoutAttestation",
        Effect: "Deny",
        Principal: "*",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: "*",
        Condition: { Null: { "kms:RecipientAttestation:ImageSha384": "true" } },
      },
    ],
  });
}

export type KmsTestStack = {
  stateDir: string;
  creds: LocalCredentials;
  pki: SimulatedPki;
  nsm: SimulatedNsm;
  kms: KmsStandIn;
  proxy: VsockProxyStandIn;
  keyId: string;
  /** The real SDK, direct over HTTPS to the stand-in. */
  sdk(credential: LocalCredential): KMSClient;
  close(): Promise<void>;
};

export async function startKmsTestStack(options: Partial<StartKmsStandInOptions> = {}): Promise<KmsTestStack> {
  const stateDir = mkdtempSync(join(tmpdir(), "kms-stand-in-"));
  const creds = await ensureLocalCredentials(stateDir);
  const pki = await createSimulatedPki({ region: "us-east-1" });
  const nsm = await createSimulatedNsm({ pki, pcrs: { 0: PCR0_GOOD } });
  const kms = await startKmsStandIn({ stateDir, attestationRoots: [pki.root.certificatePem], ...options });
  const proxy = await startVsockProxyStandIn({
    remoteHost: "127.0.0.1",
    remotePort: kms.port,
    allowlist: [{ address: "127.0.0.1", port: kms.port }],
  });
  const agents: Agent[] = [];
  const clients: KMSClient[] = [];
  const sdk = (credential: LocalCredential) => {
    const agent = new Agent({ ca: kms.caPem });
    agents.push(agent);
    const client = new KMSClient({
      region: kms.region,
      endpoint: kms.url,
      maxAttempts: 1,
      requestHandler: { httpsAgent: agent },
      credentials: {
        accessKeyId: credential.accessKeyId,
        secretAccessKey: credential.secretAccessKey,
        ...(credential.sessionToken ? { sessionToken: credential.sessionToken } : {}),
      },
    });
    clients.push(client);
    return client;
  };
  const created = await sdk(creds.admin).send(new CreateKeyCommand({ Policy: signerKeyPolicy(creds), Description: "signer keys" }));
  return {
    stateDir,
    creds,
    pki,
    nsm,
    kms,
    proxy,
    keyId: created.KeyMetadata!.KeyId!,
    sdk,
    async close() {
      for (const client of clients) client.destroy();
      for (const agent of agents) agent.destroy();
      await proxy.close();
      await kms.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** An enclave identity: RSA-2048 OAEP/SHA-256 with a non-extractable private key, and its SPKI. */
export async function enclaveKeyPair(): Promise<{ privateKey: CryptoKey; spki: Uint8Array }> {
  const pair = await crypto.subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    false,
    ["encrypt", "decrypt"],
  );
  return { privateKey: pair.privateKey, spki: new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey)) };
}
