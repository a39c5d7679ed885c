import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startVsockProxyStandIn } from "../../../local/vsock_proxy/start_vsock_proxy_stand_in_node.ts";
import { createKmsClient, type KmsClient } from "../../../signer/kms/create_kms_client.ts";
import { kmsConnectNode } from "../../../signer/kms/kms_connect_node.ts";
import { kmsDecryptForRecipient } from "../../../signer/kms/kms_decrypt_for_recipient.ts";
import { kmsEncrypt } from "../../../signer/kms/kms_encrypt.ts";
import { KmsError } from "../../../signer/kms/kms_errors.ts";
import { kmsGenerateRandomForRecipient } from "../../../signer/kms/kms_generate_random_for_recipient.ts";
import { createSimulatedNsm } from "../../../signer/nsm/simulated/nsm_simulated.ts";
import { APP, enclaveKeyPair, errorOf, type KmsTestStack, PCR0_OTHER, startKmsTestStack } from "../../local/kms/kms_test_stack.ts";

// DESIGN §6 / task facts: the context the signer binds key ciphertexts to.
const ADDRESS = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const CONTEXT = { app: APP, address: ADDRESS };

let stack: KmsTestStack;
let kms: KmsClient;
let enclave: { privateKey: CryptoKey; spki: Uint8Array };
const clients: KmsClient[] = [];
const servers: Server[] = [];

function client(overrides: Partial<Parameters<typeof createKmsClient>[0]> = {}): KmsClient {
  const c = createKmsClient({
    region: "us-east-1",
    credentials: { accessKeyId: stack.creds.host.accessKeyId, secretAccessKey: stack.creds.host.secretAccessKey },
    connect: kmsConnectNode({ host: "127.0.0.1", port: stack.proxy.port }),
    caCertificates: [stack.kms.caPem],
    maxAttempts: 1,
    ...overrides,
  });
  clients.push(c);
  return c;
}

test.before(async () => {
  stack = await startKmsTestStack();
  enclave = await enclaveKeyPair();
  kms = client();
});

test.after(async () => {
  for (const c of clients) c.destroy();
  for (const s of servers) s.close();
  await stack.close();
});

test("kmsEncrypt + kmsDecryptForRecipient round-trip a key through TLS over the vsock-proxy stand-in", async () => {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  const ciphertext = await kmsEncrypt(kms, { keyId: stack.keyId, plaintext: secret, encryptionContext: CONTEXT });
  assert.ok(ciphertext.length > 32);
  const attestationDocument = await stack.nsm.attest({ publicKey: enclave.spki });
  const plaintext = await kmsDecryptForRecipient(kms, { ciphertext, encryptionContext: CONTEXT, attestationDocument, privateKey: enclave.privateKey });
  assert.equal(plaintext, secret);
  // A second call reuses the kept-alive TLS connection.
  const again = await kmsDecryptForRecipient(kms, { ciphertext, encryptionContext: CONTEXT, attestationDocument, privateKey: enclave.privateKey, keyId: stack.keyId });
  assert.equal(again, secret);
});

test("kmsGenerateRandomForRecipient returns the requested number of bytes", async () => {
  const attestationDocument = await stack.nsm.attest({ publicKey: enclave.spki });
  const bytes = await kmsGenerateRandomForRecipient(kms, { numberOfBytes: 32, attestationDocument, privateKey: enclave.privateKey });
  assert.is(bytes.length, 32);
  assert.ok(bytes.some((b) => b !== 0));
});

test("a wrong encryption context surfaces as KmsError InvalidCiphertextException (KMS_ERROR)", async () => {
  const ciphertext = await kmsEncrypt(kms, { keyId: stack.keyId, plaintext: new Uint8Array([1]), encryptionContext: CONTEXT });
  const attestationDocument = await stack.nsm.attest({ publicKey: enclave.spki });
  const error = await errorOf(kmsDecryptForRecipient(kms, {
    ciphertext,
    encryptionContext: { ...CONTEXT, address: "0x0000000000000000000000000000000000000001" },
    attestationDocument,
    privateKey: enclave.privateKey,
  }));
  assert.instance(error, KmsError);
  assert.is(error.awsErrorName, "InvalidCiphertextException");
  assert.is(error.code, "KMS_ERROR");
});

test("an enclave with another PCR0 is denied: KmsError with code KMS_ACCESS_DENIED", async () => {
  const ciphertext = await kmsEncrypt(kms, { keyId: stack.keyId, plaintext: new Uint8Array([1]), encryptionContext: CONTEXT });
  const other = await createSimulatedNsm({ pki: stack.pki, pcrs: { 0: PCR0_OTHER } });
  const error = await errorOf(kmsDecryptForRecipient(kms, {
    ciphertext,
    encryptionContext: CONTEXT,
    attestationDocument: await other.attest({ publicKey: enclave.spki }),
    privateKey: enclave.privateKey,
  }));
  assert.instance(error, KmsError);
  assert.is(error.code, "KMS_ACCESS_DENIED");
  assert.is(error.awsErrorName, "AccessDeniedException");
});

test("an attestation for another public key yields an envelope this enclave cannot open", async () => {
  const ciphertext = await kmsEncrypt(kms, { keyId: stack.keyId, plaintext: new Uint8Array([1]), encryptionContext: CONTEXT });
  const stranger = await enclaveKeyPair();
  const error = await errorOf(kmsDecryptForRecipient(kms, {
    ciphertext,
    encryptionContext: CONTEXT,
    attestationDocument: await stack.nsm.attest({ publicKey: stranger.spki }),
    privateKey: enclave.privateKey,
  }));
  assert.instance(error, KmsError);
  assert.is(error.awsErrorName, undefined);
  assert.match(String((error as KmsError).details), /CiphertextForRecipient/);
});

test("without the local CA among the trusted roots the TLS handshake fails (no fallback)", async () => {
  const untrusting = client({ caCertificates: [] });
  const error = await errorOf(kmsEncrypt(untrusting, { keyId: stack.keyId, plaintext: new Uint8Array([1]), encryptionContext: CONTEXT }));
  assert.instance(error, KmsError);
  assert.is(error.awsErrorName, undefined);
  assert.match(String((error as KmsError).cause), /certificate|self.signed|SELF_SIGNED|verify/i);
});

test("the server certificate must name kms.<region>.amazonaws.com (SNI host check)", async () => {
  // The stand-in's certificate names us-east-1 hosts only; a client for eu-west-1 must refuse it.
  const wrongRegion = client({ region: "eu-west-1" });
  const error = await errorOf(kmsEncrypt(wrongRegion, { keyId: stack.keyId, plaintext: new Uint8Array([1]), encryptionContext: CONTEXT }));
  assert.instance(error, KmsError);
  assert.match(String((error as KmsError).cause), /altname|Hostname|ERR_TLS_CERT_ALTNAME_INVALID|does not match/i);
});

test("a parent that alters bytes in transit breaks the TLS session instead of changing an answer", async () => {
  // A forwarder that flips one byte of every server→client chunk after the first 2 KiB (past the handshake).
  let seen = 0;
  const evil = createServer((downstream: Socket) => {
    const upstream = netConnect({ host: "127.0.0.1", port: stack.proxy.port });
    downstream.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      const copy = Buffer.from(chunk);
      if (seen > 2048 && copy.length > 0) copy[copy.length - 1]! ^= 0x01;
      seen += chunk.length;
      downstream.write(copy);
    });
    const fail = () => {
      upstream.destroy();
      downstream.destroy();
    };
    upstream.on("error", fail);
    downstream.on("error", fail);
    upstream.on("end", () => downstream.end());
  });
  servers.push(evil);
  await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
  const tampered = client({ connect: kmsConnectNode({ host: "127.0.0.1", port: (evil.address() as AddressInfo).port }) });
  const ciphertext = await kmsEncrypt(kms, { keyId: stack.keyId, plaintext: new Uint8Array([7]), encryptionContext: CONTEXT });
  const attestationDocument = await stack.nsm.attest({ publicKey: enclave.spki });
  let outcome: unknown;
  for (let i = 0; i < 3 && outcome === undefined; i++) {
    try {
      await kmsDecryptForRecipient(tampered, { ciphertext, encryptionContext: CONTEXT, attestationDocument, privateKey: enclave.privateKey });
    } catch (error) {
      outcome = error;
    }
  }
  assert.instance(outcome, KmsError);
  assert.is((outcome as KmsError).awsErrorName, undefined);
});

test("createKmsClient validates its arguments and has no endpoint option", () => {
  const connect = kmsConnectNode({ host: "127.0.0.1", port: 1 });
  const host = { accessKeyId: stack.creds.host.accessKeyId, secretAccessKey: stack.creds.host.secretAccessKey };
  assert.throws(() => createKmsClient({ region: "not a region", credentials: host, connect }), TypeError);
  assert.throws(() => createKmsClient({ region: "us-east-1", connect }), TypeError);
  assert.throws(
    () => createKmsClient({ region: "us-east-1", connect, credentials: host, credentialsProvider: async () => host }),
    TypeError,
  );
});

test("the kms_* functions validate their inputs before calling KMS", async () => {
  const attestationDocument = new Uint8Array([1]);
  assert.instance(await errorOf(kmsEncrypt(kms, { keyId: "", plaintext: new Uint8Array([1]), encryptionContext: CONTEXT })), TypeError);
  assert.instance(await errorOf(kmsEncrypt(kms, { keyId: stack.keyId, plaintext: new Uint8Array(4097), encryptionContext: CONTEXT })), RangeError);
  assert.instance(await errorOf(kmsEncrypt(kms, { keyId: stack.keyId, plaintext: new Uint8Array([1]), encryptionContext: { a: 1 } as never })), TypeError);
  assert.instance(await errorOf(kmsGenerateRandomForRecipient(kms, { numberOfBytes: 0, attestationDocument, privateKey: enclave.privateKey })), RangeError);
  assert.instance(await errorOf(kmsDecryptForRecipient(kms, { ciphertext: new Uint8Array(), encryptionContext: CONTEXT, attestationDocument, privateKey: enclave.privateKey })), TypeError);
});

test("credentialsProvider is consulted per request (expired host credentials are refused by the stand-in)", async () => {
  let calls = 0;
  const viaProvider = client({
    credentials: undefined as never,
    credentialsProvider: async () => {
      calls++;
      return { accessKeyId: stack.creds.host.accessKeyId, secretAccessKey: stack.creds.host.secretAccessKey };
    },
  });
  await kmsEncrypt(viaProvider, { keyId: stack.keyId, plaintext: new Uint8Array([1]), encryptionContext: CONTEXT });
  assert.ok(calls >= 1);
});

test("startVsockProxyStandIn() refuses a remote that is not in the allowlist", async () => {
  const error = await errorOf(startVsockProxyStandIn({ remoteHost: "127.0.0.1", remotePort: 9, allowlist: [{ address: "kms.us-east-1.amazonaws.com", port: 443 }] }));
  assert.match(error.message, /not in the allowlist/);
  assert.instance(await errorOf(startVsockProxyStandIn({ remoteHost: "127.0.0.1", remotePort: 9, allowlist: [{ address: "127.0.0.1", port: 9 }], host: "0.0.0.0" })), RangeError);
});

test.run();
