import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexToBytes, recoverMessageAddress, type Hex } from "viem";
import { addressOf } from "../../../signer/keys/key_store.ts";
import { ErrorCode } from "../../../signer/protocol/error_codes.ts";
import { createSigningWorkerHandler } from "../../../signer/workers/create_signing_worker_handler.ts";
import type { SigningRequest } from "../../../signer/workers/sign_request.ts";
import type { SigningReply } from "../../../signer/workers/signing_pool.ts";

// The signing worker's body, run in this thread: which keys it holds after add/remove/clear, and what a failure
// looks like once it has crossed back to the dispatching thread (plain data: a BaseError's code, message and
// data; anything else only by name, never its message, which could quote secret input).
const KEY_A: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const KEY_B: Hex = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const A = addressOf(hexToBytes(KEY_A)).toLowerCase();
const B = addressOf(hexToBytes(KEY_B)).toLowerCase();
const message = { kind: "message", message: new TextEncoder().encode("hi") } as const;

function sign(handler: ReturnType<typeof createSigningWorkerHandler>, address: string, request: SigningRequest = message): SigningReply {
  const replies = handler.handle({ type: "sign", jobs: [{ id: 7, address, request }] });
  assert.ok(replies && replies.length === 1, "one reply per job");
  assert.is(replies[0]!.id, 7);
  return replies[0]!;
}

const unknownAccount = (address: string) => ({
  id: 7,
  failure: { kind: "base", name: "Signer.UnknownAccountError", code: ErrorCode.unknownAccount, message: `Unknown account ${address}: the signer holds no key for it`, data: { address } },
});

test("a removed key no longer signs (UNKNOWN_ACCOUNT), and removing one key leaves the others", async () => {
  const handler = createSigningWorkerHandler();
  handler.handle({ type: "add", address: A, key: hexToBytes(KEY_A) });
  handler.handle({ type: "add", address: B, key: hexToBytes(KEY_B) });
  assert.is(handler.handle({ type: "remove", address: A }), undefined);
  assert.equal(sign(handler, A), unknownAccount(A));
  const reply = sign(handler, B);
  assert.ok("result" in reply, "B still signs");
  assert.is(await recoverMessageAddress({ message: { raw: message.message }, signature: reply.result as Hex }), addressOf(hexToBytes(KEY_B)));
  handler.handle({ type: "clear" });
  assert.equal(sign(handler, B), unknownAccount(B));
});

test("add refuses anything but 32 bytes in a Uint8Array", () => {
  const handler = createSigningWorkerHandler();
  const bad: unknown[] = [new Uint8Array(31).fill(1), new Uint8Array(33).fill(1), [...hexToBytes(KEY_A)], KEY_A, undefined];
  for (const key of bad) {
    assert.throws(
      () => handler.handle({ type: "add", address: A, key: key as Uint8Array }),
      (e: unknown) => e instanceof RangeError && e.message === "Cannot add key: expected 32 bytes",
      String(key),
    );
  }
  assert.equal(sign(handler, A), unknownAccount(A), "nothing was added");
});

test("failures cross as data: a BaseError without data keeps code and message; any other error only its name", () => {
  const handler = createSigningWorkerHandler();
  handler.handle({ type: "add", address: A, key: hexToBytes(KEY_A) });
  // A transaction without chainId: MissingChainIdError, a BaseError that carries no data.
  const missingChainId = sign(handler, A, { kind: "transaction", transaction: { type: "0x2", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x1", maxPriorityFeePerGas: "0x1", to: B } } as unknown as SigningRequest);
  assert.equal(missingChainId, {
    id: 7,
    failure: { kind: "base", name: "Signer.MissingChainIdError", code: ErrorCode.missingChainId, message: "Cannot sign transaction: chainId is required (EIP-155 replay protection)" },
  });
  assert.not.ok("data" in (missingChainId as { failure: object }).failure, "no data member when the error has none");
  // An unknown request kind: a TypeError whose message names the caller's input; only "TypeError" crosses.
  const secret = "0xsecret-looking-input";
  assert.equal(sign(handler, A, { kind: secret } as unknown as SigningRequest), { id: 7, failure: { kind: "internal", name: "TypeError" } });
  // Something thrown that is not an Error at all crosses as "Error".
  const throwing = { get kind(): never { throw secret; } };
  assert.equal(sign(handler, A, throwing as unknown as SigningRequest), { id: 7, failure: { kind: "internal", name: "Error" } });
});

test("an unknown message type is refused with a TypeError naming it", () => {
  const handler = createSigningWorkerHandler();
  assert.throws(
    () => handler.handle({ type: "bogus" } as never),
    (e: unknown) => e instanceof TypeError && e.message === 'Unknown signing worker message "bogus"',
  );
});

test.run();
