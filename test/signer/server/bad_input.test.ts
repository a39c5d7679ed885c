import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, createServer, type Server } from "node:net";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { concatBytes, hexToBytes, recoverTransactionAddress } from "viem";
import { decodeAttestationPayload } from "../../../signer/attestation/decode_attestation_payload.ts";
import { decodeCoseSign1 } from "../../../signer/attestation/decode_cose_sign1.ts";
import { bytesToBase64 } from "../../../common/base64.ts";
import { ErrorCode } from "../../../signer/protocol/error_codes.ts";
import { createFrameDecoder, MAX_FRAME_BYTES } from "../../../signer/protocol/frame.ts";
import { startSigner } from "../../../local/start_signer_node.ts";
import type { Service } from "../../../local/spawn_service_node.ts";
import { cbor, deep, item, pairs, tag } from "../../helpers/cbor_writer.ts";
import { ADMIN_A, ADMIN_B, approve, OUTSIDER } from "../../helpers/policy_admins.ts";
import { seededRandom } from "../../helpers/seeded_random.ts";

// Bad input from the parent (untrusted in the threat model) against a real Deno signer on a Unix socket: a
// seeded generator of requests that CBOR can carry and JSON cannot, for every method, pipelined on one
// connection and spread over several. Every request gets an error frame with its id and a caller's stable code
// (or, for a frame the codec cannot decode, the documented BAD_FRAME with id null and a close); the process
// stays up, keys.list does not change, a good transaction still signs after each kind of input, and neither
// replies nor log lines carry a stack, a path, a key sealed to the signer or a secret pushed to it.

const WORKERS = 2;
/** What a caller's error may get: every stable code but INTERNAL and UNAVAILABLE (the signer's own failures). */
const CALLER_CODES = new Set<string>(Object.values(ErrorCode).filter((c) => c !== ErrorCode.internal && c !== ErrorCode.unavailable));
const UNHELD = "0x000000000000000000000000000000000000dEaD";
const TO = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
/** Sealed to the signer for keys.import (which then fails at KMS), and pushed by credentials.put: never to be seen again. */
const IMPORTED_KEY = "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba";
const SECRET = "wJalrXUtnFEMIxK7MDENGxbPxRfiCYzEXAMPLEKEY";

let dir: string;
let service: Service;
let socketPath: string;
let kmsProxy: Server;
let account: string;
/** Governed by two admins (both must approve), with a policy in force from the policy tests on. */
let governed: `0x${string}`;
let accountsBefore: unknown;
let nextId = 1;
const logLines: string[] = [];
const replyFrames: Uint8Array[] = [];

// --- Frames: bodies are written by test/helpers/cbor_writer.ts (what cborg will not write: duplicate and
// non-string keys, tags, -0, nesting deeper than its recursion allows), then length-prefixed here.

const lengthPrefixed = (body: Uint8Array) => {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
};

// --- The generator: a seeded PRNG (test/helpers/seeded_random.ts), junk by kind, and per-method bad requests.

const { sample } = seededRandom(0x5eed);

type Kind = "text" | "bytes" | "number" | "bool" | "null" | "undefined" | "array" | "map";
const JUNK: { kind: Kind; value: unknown }[] = [
  ...["", "0x", "0xg1", "0x0001", "1", "0X1", " 0x1", "0x1\u0000", "٣", `0x${"f".repeat(65)}`, "constructor", "__proto__", "toString", "x".repeat(10_000),
    "0x70997970c51812dc3a010c7d01b50e0d17dc79C8", TO.toUpperCase().replace("0X", "0x")]
    .map((value) => ({ kind: "text" as const, value })),
  ...[new Uint8Array(0), new Uint8Array(20).fill(0xde), new TextEncoder().encode("0x1")].map((value) => ({ kind: "bytes" as const, value })),
  ...[0, 1, -1, 2 ** 53, -(2 ** 53), 2n ** 64n - 1n, -(2n ** 64n), 1.5, 1e308, NaN, Infinity, -Infinity, item(0xf9, 0x80, 0x00)]
    .map((value) => ({ kind: "number" as const, value })),
  { kind: "bool", value: true },
  { kind: "bool", value: false },
  { kind: "null", value: null },
  { kind: "undefined", value: undefined },
  ...[[], [1, "a"], [undefined], deep(1000, 1)].map((value) => ({ kind: "array" as const, value })),
  ...[{}, pairs(["__proto__", { polluted: true }]), pairs(["constructor", { prototype: 1 }]), pairs(["a", 1], ["a", 2]), deep(1000, 1, "map")]
    .map((value) => ({ kind: "map" as const, value })),
];
const junk = (...kinds: Kind[]) => JUNK.filter((j) => kinds.length === 0 || kinds.includes(j.kind)).map((j) => j.value);
const NOT_TEXT = junk("bytes", "number", "bool", "null", "array", "map");
const NOT_A_MAP = junk("text", "bytes", "number", "bool", "array");
const ANY = junk();

/** One bad request: its frame body, the id its answer must carry, and whether a result is acceptable (the input was harmless). */
type Case = { name: string; body: Uint8Array; id: number | null; mayPass?: boolean; code?: string };
const call = (name: string, method: string, params: unknown, options: { mayPass?: boolean; code?: string } = {}): Case => {
  const id = nextId++;
  return { name, body: cbor(params === undefined ? { id, method } : { id, method, params }), id, ...options };
};
const withPath = (base: unknown, path: (string | number)[], value: unknown): unknown => {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  const copy: any = Array.isArray(base) ? [...base] : { ...(base as object) };
  // defineProperty, so that "__proto__" is an own key (as cborg decodes it) and not the prototype.
  Object.defineProperty(copy, key!, { value: withPath(Object.hasOwn(copy, key!) ? copy[key!] : undefined, rest, value), enumerable: true, writable: true, configurable: true });
  return copy;
};

const TXS = {
  legacy: { type: "0x0", chainId: "0x7a69", nonce: "0x0", gas: "0x5208", gasPrice: "0x1", to: TO, value: "0x1", data: "0x" },
  eip2930: { type: "0x1", chainId: "0x7a69", nonce: "0x0", gas: "0x5208", gasPrice: "0x1", to: TO, accessList: [{ address: TO, storageKeys: [`0x${"0".repeat(64)}`] }] },
  eip1559: { type: "0x2", chainId: "0x7a69", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", to: TO, value: "0x1", input: "0x" },
  eip4844: { type: "0x3", chainId: "0x7a69", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", to: TO, maxFeePerBlobGas: "0x1", blobVersionedHashes: [`0x01${"0".repeat(62)}`] },
  eip7702: { type: "0x4", chainId: "0x7a69", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", to: TO, authorizationList: [{ chainId: "0x1", address: TO, nonce: "0x0", yParity: "0x0", r: "0x1", s: "0x1" }] },
};
const GOOD_TX = TXS.eip1559;

const TYPED_DATA = {
  types: {
    EIP712Domain: [{ name: "name", type: "string" }, { name: "chainId", type: "uint256" }, { name: "verifyingContract", type: "address" }],
    Person: [{ name: "name", type: "string" }, { name: "wallet", type: "address" }],
    Mail: [{ name: "from", type: "Person" }, { name: "to", type: "Person[]" }, { name: "contents", type: "string" }, { name: "data", type: "bytes32" }],
  },
  primaryType: "Mail",
  domain: { name: "Ether Mail", chainId: 31337, verifyingContract: TO },
  message: { from: { name: "Cow", wallet: TO }, to: [{ name: "Bob", wallet: TO }], contents: "Hello", data: `0x${"ab".repeat(32)}` },
};
const TYPED_PATHS: (string | number)[][] = [
  [], ["types"], ["types", "Mail"], ["types", "Mail", 0], ["types", "Mail", 0, "name"], ["types", "Mail", 0, "type"], ["types", "Person", 1, "type"],
  ["types", "EIP712Domain"], ["types", "EIP712Domain", 1, "type"], ["types", "__proto__"], ["types", "Mail", 0, "junk"], ["primaryType"], ["domain"],
  ["domain", "name"], ["domain", "chainId"], ["domain", "verifyingContract"], ["domain", "salt"], ["message"], ["message", "from"],
  ["message", "from", "wallet"], ["message", "to"], ["message", "to", 0], ["message", "contents"], ["message", "data"], ["message", "extra"],
];

/** Bad requests for every method the signer serves (DESIGN §4), each field broken in turn. */
function methodCases(sealedKey: Uint8Array): Case[] {
  const cases: Case[] = [];
  const signParams = (name: string, method: string, valid: Record<string, unknown>, paths: (string | number)[][], values: unknown[], n: number) => {
    for (const path of paths) {
      for (const value of sample(values, n)) cases.push(call(`${name} ${path.join(".") || "(all)"}`, method, withPath(valid, path, value), { mayPass: true }));
    }
  };
  for (const [type, tx] of Object.entries(TXS)) {
    const fields = [...new Set([...Object.keys(tx), "type", "chainId", "data", "input", "accessList", "authorizationList", "blobVersionedHashes"])];
    signParams(`sign.transaction ${type}`, "sign.transaction", { address: account, transaction: tx }, [[], ["transaction"], ...fields.map((f) => ["transaction", f])], ANY, 4);
  }
  signParams("sign.transaction nested", "sign.transaction", { address: account, transaction: TXS.eip7702 },
    [["transaction", "authorizationList", 0], ...["chainId", "address", "nonce", "yParity", "r", "s"].map((f) => ["transaction", "authorizationList", 0, f])], ANY, 3);
  signParams("sign.transaction accessList", "sign.transaction", { address: account, transaction: TXS.eip2930 },
    [["transaction", "accessList", 0], ["transaction", "accessList", 0, "address"], ["transaction", "accessList", 0, "storageKeys"], ["transaction", "accessList", 0, "storageKeys", 0]], ANY, 3);
  signParams("sign.typedData", "sign.typedData", { address: account, typedData: TYPED_DATA, chainId: "0x7a69" },
    [["address"], ["chainId"], ...TYPED_PATHS.map((p) => ["typedData", ...p])], ANY, 4);
  signParams("sign.message", "sign.message", { address: account, message: new Uint8Array(3) }, [[], ["address"], ["message"]], ANY, 6);
  signParams("sign.authorization", "sign.authorization", { address: account, authorization: { chainId: "0x1", address: TO, nonce: "0x0" } },
    [[], ["address"], ["authorization"], ["authorization", "chainId"], ["authorization", "address"], ["authorization", "nonce"]], ANY, 6);
  for (const method of ["describe", "policy.describe", "keys.list", "attest"]) {
    for (const params of sample(ANY, 6)) cases.push(call(`${method} params`, method, params, { mayPass: true }));
  }
  for (const nonce of sample(ANY, 6)) cases.push(call("attest nonce", "attest", { nonce }, { mayPass: true }));
  cases.push(call("attest nonce of 513 bytes", "attest", { nonce: new Uint8Array(513) }, { code: "INVALID_PARAMS" }));

  // State-changing methods: only requests that must fail (keys.list is compared at the end).
  for (const params of sample(NOT_A_MAP, 6)) cases.push(call("keys.generate params", "keys.generate", params));
  for (const label of [...sample(NOT_TEXT, 6), "x".repeat(65)]) cases.push(call("keys.generate label", "keys.generate", { label }));
  for (const kmsKeyId of sample(junk("text", "bytes", "number", "bool", "null", "array", "map"), 8)) cases.push(call("keys.generate kmsKeyId", "keys.generate", { kmsKeyId }));
  const importBase = { sealed: sealedKey, kmsKeyId: "alias/signer", label: "imported" };
  for (const field of ["sealed", "kmsKeyId", "label"]) {
    const values = field === "label" ? [...NOT_TEXT, "x".repeat(65)] : ANY;
    for (const value of sample(values, 5)) cases.push(call(`keys.import ${field}`, "keys.import", withPath(importBase, [field], value)));
  }
  cases.push(call("keys.import sealed to nobody", "keys.import", { ...importBase, sealed: new Uint8Array(256).fill(7) }, { code: "INVALID_PARAMS" }));
  cases.push(call("keys.import of a key KMS cannot seal", "keys.import", importBase));
  for (const params of [...sample(NOT_A_MAP, 4), ...sample(ANY, 4).map((address) => ({ address, ciphertext: "AAAA" })), ...sample(ANY, 4).map((ciphertext) => ({ address: UNHELD, ciphertext }))]) {
    cases.push(call("keys.load", "keys.load", params));
  }
  cases.push(call("keys.load an unheld account from KMS", "keys.load", { address: UNHELD, ciphertext: bytesToBase64(new Uint8Array(64)) }));
  for (const address of sample(ANY, 6)) cases.push(call("keys.unload address", "keys.unload", { address }));
  cases.push(call("keys.unload an unheld account", "keys.unload", { address: UNHELD }, { mayPass: true }));
  const credentials = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: SECRET, sessionToken: "token", expiration: "2999-01-01T00:00:00Z", region: "us-east-1" };
  for (const field of Object.keys(credentials)) {
    const bad = [...sample(NOT_TEXT, 4), "", "x".repeat(5000), ...(field === "expiration" ? ["2000-01-01T00:00:00Z", "2999-13-45T99:99:99Z"] : [])];
    for (const value of bad) cases.push(call(`credentials.put ${field}`, "credentials.put", { ...credentials, [field]: value }));
  }
  for (const params of sample(NOT_A_MAP, 4)) cases.push(call("credentials.put params", "credentials.put", params));
  // policy.check (a dry run): its envelope, and a signing request inside it broken field by field.
  for (const params of sample(NOT_A_MAP, 4)) cases.push(call("policy.check params", "policy.check", params));
  for (const method of [...sample(ANY, 6), "sign.", "keys.generate", "policy.apply"]) cases.push(call("policy.check method", "policy.check", { method, params: {} }));
  signParams("policy.check transaction", "policy.check", { method: "sign.transaction", params: { address: governed, transaction: GOOD_TX } },
    [["params"], ["params", "address"], ["params", "transaction"], ...Object.keys(GOOD_TX).map((f) => ["params", "transaction", f])], ANY, 3);
  signParams("policy.check message", "policy.check", { method: "sign.message", params: { address: governed, message: new Uint8Array(1) } }, [["params", "message"]], ANY, 4);
  signParams("policy.check typedData", "policy.check", { method: "sign.typedData", params: { address: governed, typedData: TYPED_DATA } },
    TYPED_PATHS.slice(0, 12).map((p) => ["params", "typedData", ...p]), ANY, 2);
  signParams("policy.check authorization", "policy.check", { method: "sign.authorization", params: { address: governed, authorization: { chainId: "0x1", address: TO, nonce: "0x0" } } },
    [["params", "authorization"], ["params", "authorization", "chainId"], ["params", "authorization", "address"]], ANY, 3);
  return cases;
}

/** Requests that are not `{ id: uint, method: text, params? }`, and methods the signer does not have. */
function envelopeCases(): Case[] {
  const cases: Case[] = [];
  // (-0 is not here: it is the integer zero, a usable id.)
  for (const id of ["1", new Uint8Array([1]), { id: 1 }, [1], -1, 1.5, 2 ** 53, 2n ** 64n - 1n, NaN, Infinity, null, true]) {
    cases.push({ name: "wrong id type", body: cbor({ id, method: "describe" }), id: null, code: "BAD_FRAME" });
  }
  cases.push({ name: "missing id", body: cbor({ method: "describe" }), id: null, code: "BAD_FRAME" });
  for (const message of [[1], "describe", 5, new Uint8Array(4), null, undefined, true, 1.5, deep(1000, 1)]) {
    cases.push({ name: "not a map", body: cbor(message), id: null, code: "BAD_FRAME" });
  }
  for (const method of [undefined, ...NOT_TEXT]) {
    const id = nextId++;
    cases.push({ name: "missing or non-text method", body: cbor(method === undefined ? { id } : { id, method }), id, code: "BAD_FRAME" });
  }
  for (const method of ["", "__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "sign.transaction ", "SIGN.TRANSACTION", "keys", "sign.", "x".repeat(10_000)]) {
    cases.push(call("unknown method", method, {}, { code: "UNKNOWN_METHOD" }));
  }
  {
    const id = nextId++;
    cases.push({ name: "__proto__ in the envelope", body: cbor(pairs(["__proto__", { id: 1, method: "keys.generate" }], ["id", id], ["method", "no.such"])), id, code: "UNKNOWN_METHOD" });
    const dup = nextId++;
    cases.push({ name: "duplicate keys: the last wins", body: cbor(pairs(["id", 424242], ["method", "keys.generate"], ["id", dup], ["method", "no.such"])), id: dup, code: "UNKNOWN_METHOD" });
  }
  return cases;
}

/** Frames that are one CBOR item only to a looser codec: the signer's answer is BAD_FRAME with id null, then it closes. */
function undecodableBodies(): { name: string; body: Uint8Array }[] {
  const inParams = (params: unknown) => cbor({ id: nextId++, method: "sign.transaction", params: { address: account, transaction: params } });
  return [
    { name: "bignum tag 2", body: inParams(tag(2, new Uint8Array(40).fill(0xff))) },
    { name: "negative bignum tag 3", body: inParams(tag(3, new Uint8Array(40).fill(0xff))) },
    { name: "unknown tag", body: inParams(tag(55799, 1)) },
    { name: "date tag", body: cbor({ id: nextId++, method: "describe", params: tag(0, "2020-01-01T00:00:00Z") }) },
    { name: "integer map key", body: inParams(pairs([1, "a"])) },
    { name: "bytes map key", body: cbor(pairs(["id", nextId++], ["method", "describe"], [new Uint8Array(2), 1])) },
    { name: "array map key", body: inParams(pairs([[1], 1])) },
    { name: "100,000 nested arrays", body: inParams(deep(100_000, 1)) },
    { name: "100,000 nested maps", body: cbor({ id: nextId++, method: "describe", params: deep(100_000, 1, "map") }) },
    { name: "a truncated item", body: cbor({ id: nextId++, method: "describe" }).subarray(0, 10) },
  ];
}

// --- Talking to the signer.

type Answer = { id: number | null; result?: unknown; error?: { code: string; message: string; data?: unknown } };

/** Writes frames on one fresh connection and reads answers until `expected` arrive or the signer closes. */
async function exchange(bodies: Uint8Array[], expected: number, timeoutMs = 15_000): Promise<{ answers: Answer[]; closed: boolean }> {
  const socket = connect(socketPath);
  await once(socket, "connect");
  const decoder = createFrameDecoder();
  const answers: Answer[] = [];
  let closed = false;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    socket.on("data", (chunk) => {
      replyFrames.push(new Uint8Array(chunk));
      answers.push(...(decoder.push(chunk) as Answer[]));
      if (answers.length >= expected) {
        clearTimeout(timer);
        resolve();
      }
    });
    socket.on("close", () => {
      closed = true;
      clearTimeout(timer);
      resolve();
    });
    socket.on("error", () => {});
  });
  socket.write(concatBytes(bodies.map(lengthPrefixed)));
  await done;
  socket.destroy();
  return { answers, closed };
}

const TRACE = /\n\s+at |file:\/\/|\.ts:\d|\/work\/|node_modules/;

/** Sends the cases pipelined on one connection, then spread over `connections`, and checks every answer. */
async function check(cases: Case[], connections = 4): Promise<void> {
  for (const spread of new Set([1, connections])) {
    const groups = Array.from({ length: spread }, (_, i) => cases.filter((_, j) => j % spread === i));
    await Promise.all(groups.map(async (group) => {
      const { answers, closed } = await exchange(group.map((c) => c.body), group.length);
      assert.not.ok(closed, "the signer closed a connection over a request it could read");
      assert.is(answers.length, group.length, `every request is answered (${spread} connections)`);
      const byId = new Map(answers.filter((a) => a.id !== null).map((a) => [a.id, a]));
      assert.is(answers.filter((a) => a.id === null).length, group.filter((c) => c.id === null).length, "answers with id null");
      for (const a of answers.filter((a) => a.id === null)) assert.is(a.error?.code, "BAD_FRAME");
      for (const c of group.filter((c) => c.id !== null)) {
        const answer = byId.get(c.id);
        assert.ok(answer, `${c.name}: answered with its id ${c.id}`);
        if (!answer!.error) {
          assert.ok(c.mayPass, `${c.name}: refused, not ${JSON.stringify(answer!.result)?.slice(0, 200)}`);
          continue;
        }
        const { code, message } = answer!.error;
        assert.ok(CALLER_CODES.has(code), `${c.name}: a caller's stable code, not ${code} (${message})`);
        if (c.code) assert.is(code, c.code, `${c.name}: ${message}`);
        assert.type(message, "string");
        assert.ok(message.length <= 512, `${c.name}: a short message (${message.length} characters)`);
        assert.not.match(message, TRACE, `${c.name}: no stack or path in ${message}`);
      }
    }));
  }
}

/** A good transaction signed on a fresh connection recovers to the account, and the process is up. */
async function stillServes(after: string): Promise<void> {
  const id = nextId++;
  const { answers } = await exchange([cbor({ id, method: "sign.transaction", params: { address: account, transaction: { ...GOOD_TX, nonce: `0x${id.toString(16)}` } } })], 1);
  const raw = (answers[0]?.result as { raw?: `0x${string}` } | undefined)?.raw;
  assert.ok(raw, `after ${after}: a good transaction is signed (${JSON.stringify(answers[0]?.error)})`);
  assert.is(await recoverTransactionAddress({ serializedTransaction: raw as never }), account);
  assert.is(service.child.exitCode, null, `after ${after}: the process is up`);
}

const send = async (method: string, params?: unknown): Promise<Answer> => (await exchange([cbor({ id: nextId++, method, ...(params === undefined ? {} : { params }) })], 1)).answers[0]!;

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), "signer-bad-input-"));
  // A KMS proxy that hangs up at once: KMS calls fail fast and deterministically.
  kmsProxy = createServer((socket) => socket.destroy());
  kmsProxy.listen(0, "127.0.0.1");
  await once(kmsProxy, "listening");
  const kmsPort = (kmsProxy.address() as { port: number }).port;
  const started = await startSigner({
    listen: `unix://${join(dir, "signer.sock")}`,
    args: ["--mode", "dev", "--workers", String(WORKERS), "--kms-proxy", `tcp://127.0.0.1:${kmsPort}`],
    env: { AWS_REGION: "" },
  });
  service = started.service;
  socketPath = join(dir, "signer.sock");
  createInterface({ input: service.child.stderr! }).on("line", (line) => logLines.push(line));
  account = ((await send("keys.generate", { label: "held" })).result as { address: string }).address;
  const governance = { admins: [ADMIN_A.address, ADMIN_B.address].map((a) => a.toLowerCase()), threshold: 2 };
  governed = ((await send("keys.generate", { label: "governed", governance })).result as { address: `0x${string}` }).address;
  accountsBefore = (await send("keys.list")).result;
});

test.after(async () => {
  await service?.stop();
  kmsProxy?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a KMS method before any credentials or region is NO_CREDENTIALS, not INTERNAL", async () => {
  const answer = await send("keys.generate", { kmsKeyId: "alias/signer" });
  assert.is(answer.error?.code, "NO_CREDENTIALS", answer.error?.message);
  // From here on KMS calls reach the proxy (which hangs up), with a secret in the store.
  const put = await send("credentials.put", { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: SECRET, region: "us-east-1" });
  assert.equal(put.result, { region: "us-east-1", expiration: null });
});

test("envelopes that are not requests get BAD_FRAME (with their id when usable) or UNKNOWN_METHOD, on an open connection", async () => {
  await check(envelopeCases());
  await stillServes("bad envelopes");
});

test("bad params for every method get a caller's stable code with the request's id, pipelined and across connections", async () => {
  const { document } = (await send("attest", {})).result as { document: Uint8Array };
  const { publicKey } = decodeAttestationPayload(decodeCoseSign1(document).payload);
  const rsa = await crypto.subtle.importKey("spki", new Uint8Array(publicKey!), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, rsa, new Uint8Array(hexToBytes(IMPORTED_KEY))));
  const cases = methodCases(sealed);
  const byMethod = new Map<string, Case[]>();
  for (const c of cases) byMethod.set(c.name.split(" ")[0]!, [...(byMethod.get(c.name.split(" ")[0]!) ?? []), c]);
  for (const [method, group] of byMethod) {
    await check(group);
    await stillServes(`bad ${method}`);
  }
});

test("a frame the codec cannot decode gets one BAD_FRAME with id null, then that connection closes", async () => {
  for (const { name, body } of undecodableBodies()) {
    const { answers, closed } = await exchange([body], 2, 5000);
    assert.equal(answers.map((a) => [a.id, a.error?.code]), [[null, "BAD_FRAME"]], name);
    assert.ok(closed, `${name}: closed`);
    assert.not.match(answers[0]!.error!.message, TRACE);
  }
  await stillServes("undecodable frames");
});

test("params nested deeper than 64 levels fail alone with INVALID_PARAMS, and take no worker down", async () => {
  // Deep enough that structured clone to a worker would overflow (~3,500 here), shallow enough for the frame
  // decoder (~6,000): refused before any handler, so the pool never has to copy them (its own fallback for a
  // request it cannot copy is in test/signer/workers/create_worker_signing_pool.test.ts).
  const tooDeep = () => call("deep junk", "sign.transaction", { address: account, transaction: { ...GOOD_TX, junk: deep(4500, 1) } }, { code: "INVALID_PARAMS" });
  const typedDeep = () => call("deep types", "sign.typedData", { address: account, typedData: withPath(TYPED_DATA, ["types", "Mail", 0, "junk"], deep(4500, 1)) }, { code: "INVALID_PARAMS" });
  const cases = [...Array.from({ length: WORKERS * 2 }, tooDeep), ...Array.from({ length: WORKERS * 2 }, typedDeep)];
  await check(cases);
  const { answers } = await exchange([cases[0]!.body], 1);
  assert.is(answers[0]!.error!.message, "Invalid params: nested deeper than 64 levels");
  const justDeepEnough = call("64 levels", "sign.transaction", { address: account, transaction: { ...GOOD_TX, junk: deep(62, 1) } }, { mayPass: true });
  const [answer] = (await exchange([justDeepEnough.body], 1)).answers;
  assert.not.match(answer!.error?.message ?? "", /nested deeper/);
  await stillServes("requests too deep to clone");
});

test("huge inputs near the frame limit get short errors; an error never echoes a huge key", async () => {
  const near = MAX_FRAME_BYTES - 1000;
  const cases = [
    call("huge method", "x".repeat(near), {}, { code: "UNKNOWN_METHOD" }),
    call("huge text message", "sign.message", { address: account, message: "x".repeat(near) }, { code: "INVALID_PARAMS" }),
    call("huge bytes sealed", "keys.import", { sealed: new Uint8Array(near), kmsKeyId: "alias/signer" }, { code: "INVALID_PARAMS" }),
    call("huge address", "sign.transaction", { address: `0x${"a".repeat(near)}`, transaction: GOOD_TX }, { code: "INVALID_PARAMS" }),
    // Before the fix the error echoed the whole key, its frame was over 1 MiB, and the process died.
    call("huge typed-data key", "sign.typedData", { address: account, typedData: withPath(TYPED_DATA, ["message", "k".repeat(700_000)], 1.5) }, { code: "INVALID_PARAMS" }),
    call("huge type name", "sign.typedData", { address: account, typedData: withPath(TYPED_DATA, ["types", "T".repeat(700_000)], 1) }, { code: "INVALID_PARAMS" }),
    call("huge bytes message", "sign.message", { address: account, message: new Uint8Array(near) }, { mayPass: true }),
  ];
  for (const c of cases) await check([c], 1);
  await stillServes("huge inputs");
});

test("an address the signer does not hold is UNKNOWN_ACCOUNT for every signing method", async () => {
  await check([
    call("unheld tx", "sign.transaction", { address: UNHELD, transaction: GOOD_TX }, { code: "UNKNOWN_ACCOUNT" }),
    call("unheld message", "sign.message", { address: UNHELD, message: new Uint8Array(1) }, { code: "UNKNOWN_ACCOUNT" }),
    call("unheld typed data", "sign.typedData", { address: UNHELD, typedData: TYPED_DATA }, { code: "UNKNOWN_ACCOUNT" }),
    call("unheld authorization", "sign.authorization", { address: UNHELD, authorization: { chainId: "0x1", address: TO, nonce: "0x0" } }, { code: "UNKNOWN_ACCOUNT" }),
  ], 2);
});

test("a mixed-case address with a wrong EIP-55 checksum is INVALID_PARAMS, not INTERNAL, wherever it is signed", async () => {
  const bad = "0x70997970c51812dc3a010c7d01b50e0d17dc79C8";
  await check([
    call("to", "sign.transaction", { address: account, transaction: { ...GOOD_TX, to: bad } }, { code: "INVALID_PARAMS" }),
    call("access list", "sign.transaction", { address: account, transaction: withPath(TXS.eip2930, ["accessList", 0, "address"], bad) }, { code: "INVALID_PARAMS" }),
    call("authorization list", "sign.transaction", { address: account, transaction: withPath(TXS.eip7702, ["authorizationList", 0, "address"], bad) }, { code: "INVALID_PARAMS" }),
    call("delegate", "sign.authorization", { address: account, authorization: { chainId: "0x1", address: bad, nonce: "0x0" } }, { code: "INVALID_PARAMS" }),
    call("all caps carries no checksum", "sign.transaction", { address: account, transaction: { ...GOOD_TX, to: `0x${TO.slice(2).toUpperCase()}` } }, { mayPass: true }),
  ], 1);
});

// --- Policy documents and approvals (issue 12): policy.apply with junk never crashes the signer, answers
// INVALID_PARAMS naming the field, and leaves the policy in force as it was.

const POLICY_RULES = [
  {
    id: "tx", effect: "allow", action: "transaction", chainIds: [31337], to: [TO], create: false, maxValue: "1", selectors: ["0x", "0xa9059cbb"],
    erc20: { maxAmount: "1", recipients: [TO], allowUnlimitedApproval: true }, maxFeePerGas: "1", maxGas: "1", maxFee: "1", blobs: false,
  },
  { id: "msg", effect: "deny", action: "message", prefix: "x" },
  { id: "td", effect: "allow", action: "typedData", domain: { chainId: 1, verifyingContract: TO, name: "n" }, primaryTypes: ["Mail"] },
  { id: "auth", effect: "allow", action: "authorization", chainIds: [1], to: [TO] },
];
const policyDocument = (sequence: number) => ({
  version: 1, account: governed, sequence, notAfter: "2099-01-01T00:00:00Z", rules: POLICY_RULES,
  limits: [{ id: "day", window: 86400, maxValue: "1", maxCount: 1 }],
});
/** JSON values no field of a policy document accepts (`true` only where a field is not a boolean). */
const POLICY_JUNK: readonly unknown[] = [null, 1.5, -1, 0, [], { a: 1 }, [[1]], "x".repeat(300), true];

/** Every path into `value`, parents before children. */
const pathsOf = (value: unknown, path: (string | number)[] = []): (string | number)[][] => {
  if (typeof value !== "object" || value === null) return [path];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [path, ...entries.flatMap(([k, v]) => pathsOf(v, [...path, k]))];
};
/** The field a refusal names for a path: `policy.rules[0].erc20.maxAmount`. */
const fieldOf = (path: (string | number)[]) => path.reduce<string>((field, key) => (typeof key === "number" ? `${field}[${key}]` : `${field}.${key}`), "policy");
const BOOLEAN_FIELDS = new Set(["create", "blobs", "allowUnlimitedApproval"]);

const policyInForce = async () => {
  const described = (await send("policy.describe", { address: governed })).result as { accounts: { policy: { kind: string; digest?: string; sequence?: number } }[] };
  return described.accounts[0]!.policy;
};

/** Sends policy.apply requests pipelined on one connection; each must be INVALID_PARAMS naming a field that starts with `field`. */
async function applyRefused(cases: { name: string; document: unknown; approvals: unknown; field: string }[]): Promise<void> {
  const bodies = cases.map((c) => call(c.name, "policy.apply", { document: c.document, approvals: c.approvals }));
  const { answers, closed } = await exchange(bodies.map((b) => b.body), bodies.length);
  assert.not.ok(closed);
  const byId = new Map(answers.map((a) => [a.id, a]));
  cases.forEach((c, i) => {
    const answer = byId.get(bodies[i]!.id);
    assert.ok(answer, `${c.name}: answered`);
    assert.ok(answer!.error, `${c.name}: accepted ${JSON.stringify(answer!.result)}`);
    const { code, message, data } = answer!.error!;
    assert.is(code, "INVALID_PARAMS", `${c.name}: ${code} ${message}`);
    // Junk nested deeper than 64 levels is refused before any method looks at it.
    if (message === "Invalid params: nested deeper than 64 levels") return;
    const field = (data as { field?: string } | undefined)?.field ?? "";
    assert.ok(field.startsWith(c.field), `${c.name}: names ${field}, not ${c.field} (${message})`);
    assert.ok(message.includes(field), `${c.name}: the message names the field: ${message}`);
    assert.ok(message.length <= 512, `${c.name}: a short message`);
    assert.not.match(message, TRACE, c.name);
  });
}

test("policy.apply: a governed key takes an approved document; junk in every field of the document is refused naming the field, the policy in force unchanged", async () => {
  const first = policyDocument(1);
  const applied = (await send("policy.apply", { document: JSON.stringify(first), approvals: await approve(first, [ADMIN_A, ADMIN_B]) })).result as { digest: string };
  assert.ok(applied?.digest, "the approved document was not applied");
  const before = await policyInForce();
  assert.equal([before.kind, before.digest, before.sequence], ["policy", applied.digest, 1]);

  const next = policyDocument(2);
  const approvals = await approve(next, [ADMIN_A, ADMIN_B]);
  const cases: { name: string; document: unknown; approvals: unknown; field: string }[] = [];
  for (const path of pathsOf(next)) {
    const key = path[path.length - 1];
    const values = POLICY_JUNK.filter((v) => !(v === true && BOOLEAN_FIELDS.has(String(key))));
    for (const value of sample(values, 3)) {
      cases.push({ name: `document ${fieldOf(path)} = ${JSON.stringify(value)?.slice(0, 20)}`, document: JSON.stringify(withPath(next, path, value)), approvals, field: fieldOf(path) });
    }
  }
  for (const path of [[], ["rules", 0], ["rules", 0, "erc20"], ["rules", 2, "domain"], ["limits", 0]]) {
    const field = fieldOf([...path, "extra"]);
    cases.push({ name: `unknown field ${field}`, document: JSON.stringify(withPath(next, [...path, "extra"], 1)), approvals, field });
  }
  cases.push({ name: "notAfter in the past", document: JSON.stringify({ ...next, notAfter: "2001-01-01T00:00:00Z" }), approvals, field: "policy.notAfter" });
  cases.push({ name: "a condition of another action", document: JSON.stringify(withPath(next, ["rules", 1, "maxValue"], "1")), approvals, field: "policy.rules[1].maxValue" });
  cases.push({ name: "a duplicate id", document: JSON.stringify(withPath(next, ["rules", 1, "id"], "tx")), approvals, field: "policy.rules[1].id" });
  cases.push({ name: "a reserved id", document: JSON.stringify(withPath(next, ["limits", 0, "id"], "no-policy")), approvals, field: "policy.limits[0].id" });
  cases.push({ name: "an unrestricted account", document: JSON.stringify({ ...next, account }), approvals, field: "policy.account" });
  cases.push({ name: "an account the signer does not hold", document: JSON.stringify({ ...next, account: UNHELD }), approvals, field: "" });
  for (const document of ["", "{", "x".repeat(10_000), `${"[".repeat(5000)}${"]".repeat(4999)}`]) {
    cases.push({ name: `document text ${JSON.stringify(document.slice(0, 10))}`, document, approvals, field: "document" });
  }
  for (const document of ["null", "[]", "1", '"policy"', `${"[".repeat(5000)}${"]".repeat(5000)}`, `${'{"a":'.repeat(200)}1${"}".repeat(200)}`]) {
    cases.push({ name: `document JSON ${document.slice(0, 10)}`, document, approvals, field: "policy" });
  }
  for (const document of sample(NOT_TEXT, 6)) cases.push({ name: "document not text", document, approvals, field: "document" });
  // The unheld account is UNKNOWN_ACCOUNT, not INVALID_PARAMS: sent on its own.
  const unheld = cases.splice(cases.findIndex((c) => c.name === "an account the signer does not hold"), 1)[0]!;
  await applyRefused(cases);
  const answer = await send("policy.apply", { document: unheld.document, approvals });
  assert.is(answer.error?.code, "UNKNOWN_ACCOUNT", answer.error?.message);
  assert.equal(await policyInForce(), before);
  await stillServes("junk policy documents");
});

test("policy.apply: junk approvals, too few, a non-admin's, one for another document, a replay: refused naming approvals, the policy in force unchanged", async () => {
  const before = await policyInForce();
  const next = policyDocument(2);
  const document = JSON.stringify(next);
  const [a, b] = await approve(next, [ADMIN_A, ADMIN_B]);
  const [outsider] = await approve(next, [OUTSIDER]);
  const cases: { name: string; document: unknown; approvals: unknown; field: string }[] = [];
  for (const approvals of sample(junk("text", "bytes", "number", "bool", "null", "map"), 6)) cases.push({ name: "approvals not a list", document, approvals, field: "approvals" });
  for (const value of sample(NOT_TEXT, 4)) cases.push({ name: "an approval not text", document, approvals: [a, value], field: "approvals" });
  for (const value of ["", "0x", "0xzz", `0x${"0".repeat(130)}`, `0x${"f".repeat(130)}`, `${a!.slice(2)}`, `${a}00`, "x".repeat(10_000)]) {
    cases.push({ name: `a malformed approval ${value.slice(0, 12)}`, document, approvals: [value, b], field: "approvals[0]" });
  }
  cases.push({ name: "no approvals", document, approvals: [], field: "approvals" });
  cases.push({ name: "too few", document, approvals: [a], field: "approvals" });
  cases.push({ name: "one admin twice", document, approvals: [b, b], field: "approvals" });
  cases.push({ name: "too many", document, approvals: Array.from({ length: 65 }, () => a), field: "approvals" });
  cases.push({ name: "a non-admin's", document, approvals: [a, outsider], field: "approvals[1]" });
  cases.push({ name: "for another digest", document, approvals: await approve(next, [ADMIN_A, ADMIN_B], { digest: `0x${"ab".repeat(32)}` }), field: "approvals[0]" });
  cases.push({ name: "for another account", document, approvals: await approve(next, [ADMIN_A, ADMIN_B], { account: account as `0x${string}` }), field: "approvals[0]" });
  cases.push({ name: "for another sequence", document, approvals: await approve(next, [ADMIN_A, ADMIN_B], { sequence: 3 }), field: "approvals[0]" });
  cases.push({ name: "the document changed after signing", document: JSON.stringify({ ...next, sequence: 2, notAfter: "2098-01-01T00:00:00Z" }), approvals: [a, b], field: "approvals[0]" });
  const replay = policyDocument(1);
  cases.push({ name: "the one in force, replayed", document: JSON.stringify(replay), approvals: await approve(replay, [ADMIN_A, ADMIN_B]), field: "policy.sequence" });
  await applyRefused(cases);
  assert.equal(await policyInForce(), before);
  // Two at once (pipelined): one is in force afterwards, never a mix, and the other is refused.
  const third = policyDocument(3);
  const [r2, r3] = (await exchange([
    call("apply 2", "policy.apply", { document, approvals: [a, b] }).body,
    call("apply 3", "policy.apply", { document: JSON.stringify(third), approvals: await approve(third, [ADMIN_A, ADMIN_B]) }).body,
  ], 2)).answers;
  const after = await policyInForce();
  assert.is(after.sequence, 3);
  assert.ok(r3!.result, JSON.stringify(r3));
  assert.ok(r2!.result || r2!.error?.code === "INVALID_PARAMS", JSON.stringify(r2));
  await stillServes("junk approvals");
});

test("policy.describe, policy.check and signing by the governed key after all of it: the policy is decided, nothing signed outside it", async () => {
  const refused = await send("sign.transaction", { address: governed, transaction: GOOD_TX });
  assert.is(refused.error?.code, "POLICY_REFUSED");
  const checked = await send("policy.check", { method: "sign.transaction", params: { address: governed, transaction: GOOD_TX } });
  assert.equal(checked.result, { allowed: false, rule: "no-allow-rule", reason: (refused.error!.data as { reason: string }).reason });
});

test("afterwards: keys.list is unchanged, and no log line or reply holds a stack, a path, the sealed key or the secret", async () => {
  // The same keys; only the governed one now has the policy the tests above put in force.
  const inForce = await policyInForce();
  assert.is(inForce.kind, "policy");
  const expected = (accountsBefore as { address: string }[]).map((a) => (a.address === governed ? { ...a, policy: inForce } : a));
  assert.equal((await send("keys.list")).result, expected);
  await stillServes("everything");
  await new Promise((resolve) => setTimeout(resolve, 100)); // let the last log lines arrive
  const key = IMPORTED_KEY.slice(2);
  const keyBytes = hexToBytes(IMPORTED_KEY);
  const forbidden = [key, key.toUpperCase(), bytesToBase64(keyBytes), SECRET];
  assert.ok(logLines.length > 0);
  for (const line of logLines) {
    assert.ok(line.startsWith("{"), `a JSON log line, not ${line.slice(0, 200)}`);
    const event = JSON.parse(line) as { event: string };
    assert.not.ok(["internal-error", "signing-worker-failed"].includes(event.event), line);
    assert.not.match(line, TRACE, line);
    for (const text of forbidden) assert.not.ok(line.includes(text), `a secret in the log: ${line.slice(0, 200)}`);
  }
  const text = new TextEncoder();
  for (const reply of replyFrames) {
    for (const needle of [keyBytes, ...forbidden.map((f) => text.encode(f))]) assert.not.ok(contains(reply, needle), "a secret in a reply");
  }
});

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = haystack.indexOf(needle[0]!); i !== -1 && i <= haystack.length - needle.length; i = haystack.indexOf(needle[0]!, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

test.run();
