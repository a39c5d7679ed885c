import { test } from "uvu";
import * as assert from "uvu/assert";
import { Wallet } from "ethers";
import { hexToBytes, recoverMessageAddress, stringToBytes, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { signMessage } from "../../../signer/signing/sign_message.ts";

// Anvil's second dev key: a published test key, never a real one.
const KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const account = privateKeyToAccount(KEY);

const messages: [string, Uint8Array][] = [
  ["UTF-8 text", stringToBytes("hello from the enclave ✓")],
  ["empty", new Uint8Array(0)],
  ["binary with a 32-byte hash", hexToBytes("0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8")],
  ["1000 bytes", new Uint8Array(1000).fill(7)],
];

for (const [name, message] of messages) {
  test(`signMessage() ${name}: byte-identical to viem and ethers, recovers to the account`, async () => {
    const signature = signMessage(hexToBytes(KEY), message);
    assert.is(signature, await account.signMessage({ message: { raw: message } }));
    assert.is(signature, await new Wallet(KEY).signMessage(message));
    assert.is(await recoverMessageAddress({ message: { raw: message }, signature }), account.address);
  });
}

test("signMessage() gives v = 27 or 28 (EIP-191 signatures as personal_sign returns them)", () => {
  const signature = signMessage(hexToBytes(KEY), stringToBytes("v"));
  assert.is(signature.length, 2 + 130);
  assert.ok(["1b", "1c"].includes(signature.slice(-2)));
});

test("signMessage() refuses a message that is not bytes", () => {
  assert.throws(() => signMessage(hexToBytes(KEY), "hello" as never), TypeError);
});

test.run();
