import { test } from "uvu";
import * as assert from "uvu/assert";
import { AwsJsonError } from "../../../local/aws/aws_json_error.ts";
import { ciphertextBlobKeyId, openCiphertextBlob, sealCiphertextBlob } from "../../../local/kms/ciphertext_blob.ts";

const keyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
const secret = crypto.getRandomValues(new Uint8Array(32));
const context = { app: "nitro-eth-signer", address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" };
const invalid = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (e) {
    return e instanceof AwsJsonError && e.type === "InvalidCiphertextException";
  }
  return false;
};

test("sealCiphertextBlob() / openCiphertextBlob() round-trip and name their key", async () => {
  const plaintext = crypto.getRandomValues(new Uint8Array(32));
  const blob = await sealCiphertextBlob({ keyId, secret, plaintext, encryptionContext: context });
  assert.is(ciphertextBlobKeyId(blob), keyId);
  assert.equal(await openCiphertextBlob(blob, secret, { address: context.address, app: context.app }), plaintext);
});

test("openCiphertextBlob() fails with InvalidCiphertextException for another context, key, or any altered byte", async () => {
  const blob = await sealCiphertextBlob({ keyId, secret, plaintext: new Uint8Array([1, 2, 3]), encryptionContext: context });
  assert.ok(await invalid(openCiphertextBlob(blob, secret, { ...context, address: "0x0" })));
  assert.ok(await invalid(openCiphertextBlob(blob, secret, {})));
  assert.ok(await invalid(openCiphertextBlob(blob, crypto.getRandomValues(new Uint8Array(32)), context)));
  for (let i = 0; i < blob.length; i++) {
    const altered = blob.slice();
    altered[i]! ^= 0x80;
    assert.ok(await invalid(openCiphertextBlob(altered, secret, context)), `byte ${i}`);
  }
  assert.ok(await invalid(openCiphertextBlob(blob.subarray(0, 20), secret, context)));
});

test.run();
