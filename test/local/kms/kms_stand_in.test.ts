import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateRandomCommand,
  GetKeyPolicyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  MalformedPolicyDocumentException,
  NotFoundException,
  PutKeyPolicyCommand,
  CreateKeyCommand,
  CreateAliasCommand,
  AlreadyExistsException,
  type KMSClient,
} from "@aws-sdk/client-kms";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startKmsStandIn } from "../../../local/kms/start_kms_stand_in_node.ts";
import { decryptCiphertextForRecipient } from "../../../signer/cms/decrypt_ciphertext_for_recipient.ts";
import { parseEnvelopedData } from "../../../signer/cms/parse_enveloped_data.ts";
import { createSimulatedPki } from "../../../signer/nsm/simulated/create_simulated_pki.ts";
import { createSimulatedNsm } from "../../../signer/nsm/simulated/nsm_simulated.ts";
import { APP, enclaveKeyPair, errorOf, type KmsTestStack, PCR0_GOOD, PCR0_OTHER, signerKeyPolicy, startKmsTestStack } from "./kms_test_stack.ts";

const ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const CONTEXT = { app: APP, address: ADDRESS };
let stack: KmsTestStack;
let admin: KMSClient;
let host: KMSClient;
let enclave: { privateKey: CryptoKey; spki: Uint8Array };
let blob: Uint8Array;
const secretKey = crypto.getRandomValues(new Uint8Array(32));

test.before(async () => {
  stack = await startKmsTestStack();
  admin = stack.sdk(stack.creds.admin);
  host = stack.sdk(stack.creds.host);
  enclave = await enclaveKeyPair();
});

const extraClose: (() => Promise<void>)[] = [];

test.after(async () => {
  await stack.close();
  for (const close of extraClose) await close();
});

const recipient = async (nsm = stack.nsm, publicKey = enclave.spki) => ({
  KeyEncryptionAlgorithm: "RSAES_OAEP_SHA_256" as const,
  AttestationDocument: await nsm.attest({ publicKey }),
});

test("CreateKey / DescribeKey / GetKeyPolicy with the real SDK", async () => {
  const described = await admin.send(new DescribeKeyCommand({ KeyId: stack.keyId }));
  assert.is(described.KeyMetadata?.Arn, `arn:aws:kms:us-east-1:111122223333:key/${stack.keyId}`);
  assert.is(described.KeyMetadata?.KeySpec, "SYMMETRIC_DEFAULT");
  assert.instance(described.KeyMetadata?.CreationDate, Date);
  const policy = await admin.send(new GetKeyPolicyCommand({ KeyId: described.KeyMetadata!.Arn! }));
  assert.is(policy.Policy, signerKeyPolicy(stack.creds));
  assert.is(statSync(join(stack.stateDir, "kms", "keys.json")).mode & 0o777, 0o600);
  assert.ok(JSON.parse(readFileSync(join(stack.stateDir, "kms", "keys.json"), "utf8")).keys.length === 1);
});

test("Encrypt by the instance role needs the app encryption context", async () => {
  const out = await host.send(new EncryptCommand({ KeyId: stack.keyId, Plaintext: secretKey, EncryptionContext: CONTEXT }));
  blob = out.CiphertextBlob!;
  assert.is(out.KeyId, `arn:aws:kms:us-east-1:111122223333:key/${stack.keyId}`);
  const denied = await errorOf(host.send(new EncryptCommand({ KeyId: stack.keyId, Plaintext: secretKey, EncryptionContext: { app: "other" } })));
  assert.is(denied.name, "AccessDeniedException");
  assert.match(denied.message, /not authorized to perform: kms:Encrypt/);
});

test("Decrypt without a Recipient is denied (explicit Deny on a missing attestation), even for the instance role", async () => {
  const denied = await errorOf(host.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT })));
  assert.is(denied.name, "AccessDeniedException");
  assert.match(denied.message, /explicit deny/);
});

test("Decrypt with a valid attestation answers CiphertextForRecipient (CMS to the attested key) and no Plaintext", async () => {
  const out = await host.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT, Recipient: await recipient() }));
  assert.is(out.Plaintext, undefined);
  assert.ok(out.CiphertextForRecipient);
  const envelope = parseEnvelopedData(out.CiphertextForRecipient!);
  assert.is(envelope.subjectKeyIdentifier.length, 32);
  assert.equal(await decryptCiphertextForRecipient(out.CiphertextForRecipient!, enclave.privateKey), secretKey);
});

test("Decrypt with an attestation of another image (PCR0) is denied", async () => {
  const other = await createSimulatedNsm({ pki: stack.pki, pcrs: { 0: PCR0_OTHER } });
  const denied = await errorOf(host.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT, Recipient: await recipient(other) })));
  assert.is(denied.name, "AccessDeniedException");
  assert.match(denied.message, /no resource-based policy allows the kms:Decrypt action/);
});

test("the admin cannot decrypt, even with a valid attestation", async () => {
  const denied = await errorOf(admin.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT, Recipient: await recipient() })));
  assert.is(denied.name, "AccessDeniedException");
});

test("Decrypt with another encryption context fails with InvalidCiphertextException", async () => {
  const policyAllowsAnyAddress = await errorOf(
    host.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { app: APP, address: "0x0000000000000000000000000000000000000001" }, Recipient: await recipient() })),
  );
  assert.instance(policyAllowsAnyAddress, InvalidCiphertextException);
});

test("Decrypt of an altered ciphertext fails with InvalidCiphertextException", async () => {
  const altered = blob.slice();
  altered[altered.length - 1]! ^= 1;
  assert.instance(await errorOf(host.send(new DecryptCommand({ CiphertextBlob: altered, EncryptionContext: CONTEXT, Recipient: await recipient() }))), InvalidCiphertextException);
  assert.instance(await errorOf(host.send(new DecryptCommand({ CiphertextBlob: new Uint8Array([9, 9, 9]), EncryptionContext: CONTEXT }))), InvalidCiphertextException);
});

test("Decrypt naming another key fails with IncorrectKeyException; unknown keys with NotFoundException", async () => {
  const other = await admin.send(new CreateKeyCommand({ Description: "other" }));
  const wrong = await errorOf(host.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: other.KeyMetadata!.KeyId!, EncryptionContext: CONTEXT, Recipient: await recipient() })));
  assert.instance(wrong, IncorrectKeyException);
  assert.instance(await errorOf(admin.send(new DescribeKeyCommand({ KeyId: "11111111-2222-3333-4444-555555555555" }))), NotFoundException);
});

test("a stale attestation document (older than 5 minutes) is refused with ValidationException", async () => {
  const old = await createSimulatedNsm({ pki: stack.pki, pcrs: { 0: PCR0_GOOD }, clock: () => Date.now() - 6 * 60_000 });
  const error = await errorOf(host.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT, Recipient: await recipient(old) })));
  assert.is(error.name, "ValidationException");
});

test("an attestation document from an untrusted PKI is refused with ValidationException", async () => {
  const rogue = await createSimulatedNsm({ pki: await createSimulatedPki(), pcrs: { 0: PCR0_GOOD } });
  const error = await errorOf(host.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT, Recipient: await recipient(rogue) })));
  assert.is(error.name, "ValidationException");
  assert.match(error.message, /attestation document is not valid/);
});

test("an attestation without a public key, or with a non-RSA key, is refused", async () => {
  const noKey = { KeyEncryptionAlgorithm: "RSAES_OAEP_SHA_256" as const, AttestationDocument: await stack.nsm.attest({}) };
  assert.is((await errorOf(host.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT, Recipient: noKey })))).name, "ValidationException");
  const ec = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
  const ecSpki = new Uint8Array(await crypto.subtle.exportKey("spki", ec.publicKey));
  assert.is((await errorOf(host.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT, Recipient: await recipient(stack.nsm, ecSpki) })))).name, "ValidationException");
});

test("GenerateRandom with and without a Recipient", async () => {
  const plain = await host.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
  assert.is(plain.Plaintext?.length, 32);
  const attested = await host.send(new GenerateRandomCommand({ NumberOfBytes: 48, Recipient: await recipient() }));
  assert.is(attested.Plaintext, undefined);
  assert.is((await decryptCiphertextForRecipient(attested.CiphertextForRecipient!, enclave.privateKey)).length, 48);
  assert.is((await errorOf(host.send(new GenerateRandomCommand({ NumberOfBytes: 2000 })))).name, "ValidationException");
});

test("GenerateDataKey with a Recipient returns a blob that decrypts to the same key", async () => {
  const out = await host.send(new GenerateDataKeyCommand({ KeyId: stack.keyId, KeySpec: "AES_256", EncryptionContext: CONTEXT, Recipient: await recipient() }));
  assert.is(out.Plaintext, undefined);
  const dataKey = await decryptCiphertextForRecipient(out.CiphertextForRecipient!, enclave.privateKey);
  assert.is(dataKey.length, 32);
  const again = await host.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob!, EncryptionContext: CONTEXT, Recipient: await recipient() }));
  assert.equal(await decryptCiphertextForRecipient(again.CiphertextForRecipient!, enclave.privateKey), dataKey);
  assert.is((await errorOf(host.send(new GenerateDataKeyCommand({ KeyId: stack.keyId, EncryptionContext: CONTEXT, Recipient: await recipient() })))).name, "ValidationException");
});

test("PutKeyPolicy: the instance role may not; a policy that locks the caller out is refused; a good one applies", async () => {
  assert.is((await errorOf(host.send(new PutKeyPolicyCommand({ KeyId: stack.keyId, Policy: signerKeyPolicy(stack.creds, PCR0_OTHER) })))).name, "AccessDeniedException");
  const lockout = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: stack.creds.host.principalArn }, Action: "kms:Decrypt", Resource: "*" }] });
  assert.instance(await errorOf(admin.send(new PutKeyPolicyCommand({ KeyId: stack.keyId, Policy: lockout }))), MalformedPolicyDocumentException);
  assert.instance(await errorOf(admin.send(new PutKeyPolicyCommand({ KeyId: stack.keyId, Policy: "{not json" }))), MalformedPolicyDocumentException);
  // Re-bind the key to another image: the old enclave image loses access.
  await admin.send(new PutKeyPolicyCommand({ KeyId: stack.keyId, Policy: signerKeyPolicy(stack.creds, PCR0_OTHER) }));
  assert.is((await errorOf(host.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT, Recipient: await recipient() })))).name, "AccessDeniedException");
  await admin.send(new PutKeyPolicyCommand({ KeyId: stack.keyId, Policy: signerKeyPolicy(stack.creds) }));
});

test("CreateAlias: keys can be named by alias and alias ARN; names are unique; the instance role may not create aliases", async () => {
  await admin.send(new CreateAliasCommand({ AliasName: "alias/nitro-signer", TargetKeyId: stack.keyId }));
  const viaAlias = await host.send(new EncryptCommand({ KeyId: "alias/nitro-signer", Plaintext: new Uint8Array([1]), EncryptionContext: CONTEXT }));
  assert.is(viaAlias.KeyId, `arn:aws:kms:us-east-1:111122223333:key/${stack.keyId}`);
  const described = await admin.send(new DescribeKeyCommand({ KeyId: "arn:aws:kms:us-east-1:111122223333:alias/nitro-signer" }));
  assert.is(described.KeyMetadata?.KeyId, stack.keyId);
  assert.instance(await errorOf(admin.send(new CreateAliasCommand({ AliasName: "alias/nitro-signer", TargetKeyId: stack.keyId }))), AlreadyExistsException);
  assert.is((await errorOf(host.send(new CreateAliasCommand({ AliasName: "alias/mine", TargetKeyId: stack.keyId })))).name, "AccessDeniedException");
  assert.instance(await errorOf(admin.send(new DescribeKeyCommand({ KeyId: "alias/unknown" }))), NotFoundException);
});

test("keys persist in the state directory across a restart", async () => {
  await stack.kms.close();
  const restarted = await startKmsStandIn({ stateDir: stack.stateDir, attestationRoots: [stack.pki.root.certificatePem], port: stack.kms.port });
  const out = await host.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: CONTEXT, Recipient: await recipient() }));
  assert.equal(await decryptCiphertextForRecipient(out.CiphertextForRecipient!, enclave.privateKey), secretKey);
  extraClose.push(() => restarted.close());
});

test("requests with an unknown access key fail with UnrecognizedClientException", async () => {
  const stranger = stack.sdk({ accessKeyId: "AKIAZZZZZZZZZZZZZZZZ", secretAccessKey: "s".repeat(40), principalArn: "x" });
  assert.is((await errorOf(stranger.send(new GenerateRandomCommand({ NumberOfBytes: 1 })))).name, "UnrecognizedClientException");
});

test.run();
