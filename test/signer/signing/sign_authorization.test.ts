import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexToBytes, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { recoverAuthorizationAddress, verifyAuthorization } from "viem/utils";
import { signAuthorization } from "../../../signer/signing/sign_authorization.ts";

// Anvil's second dev key: a published test key, never a real one.
const KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const account = privateKeyToAccount(KEY);
const delegate: Hex = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

for (const [chainId, nonce] of [[1, 0], [31337, 7], [11155111, 2 ** 40]] as const) {
  test(`signAuthorization() chain ${chainId} nonce ${nonce}: identical to viem and recovers to the authority`, async () => {
    const signed = signAuthorization(hexToBytes(KEY), { chainId, address: delegate, nonce });
    const expected = await account.signAuthorization({ chainId, address: delegate, nonce });
    assert.is(signed.chainId, `0x${chainId.toString(16)}`);
    assert.is(signed.nonce, `0x${nonce.toString(16)}`);
    assert.is(signed.address, delegate);
    assert.is(signed.r, expected.r);
    assert.is(signed.s, expected.s);
    assert.is(Number(signed.yParity), expected.yParity);
    const authorization = { chainId, address: delegate, nonce, r: signed.r, s: signed.s, yParity: Number(signed.yParity) };
    assert.is(await recoverAuthorizationAddress({ authorization }), account.address);
    assert.ok(await verifyAuthorization({ address: account.address, authorization }));
  });
}

test("signAuthorization() refuses a negative or fractional nonce", () => {
  assert.throws(() => signAuthorization(hexToBytes(KEY), { chainId: 1, address: delegate, nonce: -1 }), RangeError);
  assert.throws(() => signAuthorization(hexToBytes(KEY), { chainId: 1.5, address: delegate, nonce: 0 }), RangeError);
});

test.run();
