// Deno smoke script for test/signer/kms/kms_client_deno.test.ts: the signer's KMS client under Deno 2.9 with
// the real @aws-sdk/client-kms, TLS terminated in-process over a Deno.Conn wrapped as a Duplex (DESIGN §6).
// Reads its configuration from the JSON file named by KMS_SMOKE_CONFIG; prints one JSON line.
import { createKmsClient } from "../../../signer/kms/create_kms_client.ts";
import { kmsConnectDeno } from "../../../signer/kms/kms_connect_deno.ts";
import { kmsDecryptForRecipient } from "../../../signer/kms/kms_decrypt_for_recipient.ts";
import { kmsEncrypt } from "../../../signer/kms/kms_encrypt.ts";
import { kmsGenerateRandomForRecipient } from "../../../signer/kms/kms_generate_random_for_recipient.ts";
import { importSimulatedPki } from "../../../signer/nsm/simulated/import_simulated_pki.ts";
import { createSimulatedNsm } from "../../../signer/nsm/simulated/nsm_simulated.ts";

type Config = {
  region: string;
  proxyPort: number;
  caPem: string;
  accessKeyId: string;
  secretAccessKey: string;
  keyId: string;
  ciphertextB64: string;
  encryptionContext: Record<string, string>;
  pkiJson: string;
  pcr0: string;
};

const config = JSON.parse(await Deno.readTextFile(Deno.env.get("KMS_SMOKE_CONFIG")!)) as Config;
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const toB64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

const nsm = await createSimulatedNsm({ pki: await importSimulatedPki(config.pkiJson), pcrs: { 0: config.pcr0 } });
const pair = await crypto.subtle.generateKey(
  { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  false,
  ["encrypt", "decrypt"],
);
const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));

const kms = createKmsClient({
  region: config.region,
  credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
  connect: kmsConnectDeno({ transport: "tcp", hostname: "127.0.0.1", port: config.proxyPort }),
  caCertificates: [config.caPem],
  maxAttempts: 1,
});
try {
  const plaintext = await kmsDecryptForRecipient(kms, {
    ciphertext: fromB64(config.ciphertextB64),
    encryptionContext: config.encryptionContext,
    attestationDocument: await nsm.attest({ publicKey: spki }),
    privateKey: pair.privateKey,
  });
  const random = await kmsGenerateRandomForRecipient(kms, {
    numberOfBytes: 16,
    attestationDocument: await nsm.attest({ publicKey: spki }),
    privateKey: pair.privateKey,
  });
  const encrypted = await kmsEncrypt(kms, { keyId: config.keyId, plaintext, encryptionContext: config.encryptionContext });
  console.log(JSON.stringify({ runtime: `deno ${Deno.version.deno}`, plaintextHex: hex(plaintext), randomLength: random.length, encryptedB64: toB64(encrypted) }));
} finally {
  kms.destroy();
}
