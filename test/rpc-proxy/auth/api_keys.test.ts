import { test } from "uvu";
import * as assert from "uvu/assert";
import { bytesToHex, sha256, stringToBytes } from "viem";
import { authenticateRequest } from "../../../rpc-proxy/auth/authenticate_request.ts";
import { createCaller } from "../../../rpc-proxy/auth/create_caller.ts";
import { methodGroup } from "../../../rpc-proxy/methods/rpc_methods.ts";
import { parseApiKeys } from "../../../rpc-proxy/auth/parse_api_keys.ts";

const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const keys = parseApiKeys([
  { name: "backend", key: "backend-key-0123456789", accounts: ["*"], methods: ["*"] },
  { name: "reader", keySha256: sha256(stringToBytes("reader-key-0123456789")), accounts: [A], methods: ["read", "sign"] },
]);

test("parseApiKeys() keeps only hashes and names", () => {
  assert.is(keys.length, 2);
  assert.equal(Object.keys(keys[0]!).sort(), ["accounts", "hash", "methods", "name"]);
  assert.not.match(JSON.stringify(keys, (_k, v) => (v instanceof Uint8Array ? bytesToHex(v) : v instanceof Set ? [...v] : v)), /backend-key/);
});

test("a Bearer key, or Basic with the key as password, finds its entry; anything else finds none", () => {
  assert.is(authenticateRequest("Bearer backend-key-0123456789", keys)?.name, "backend");
  assert.is(authenticateRequest("bearer   reader-key-0123456789", keys)?.name, "reader");
  assert.is(authenticateRequest(`Basic ${btoa("user:reader-key-0123456789")}`, keys)?.name, "reader");
  assert.is(authenticateRequest(`Basic ${btoa(":backend-key-0123456789")}`, keys)?.name, "backend");
  for (const header of [undefined, "", "Bearer", "Bearer wrong-key-0123456789", "Bearer backend-key-012345678", "Token backend-key-0123456789", `Basic ${btoa("backend-key-0123456789")}`, "Basic !!!"]) {
    assert.is(authenticateRequest(header, keys), undefined, String(header));
  }
});

test("a caller may use only its key's method groups and accounts", () => {
  const reader = createCaller(keys[1]);
  assert.is(reader.keyName, "reader");
  const allows = (method: string) => reader.allowsGroup(methodGroup(method));
  assert.ok(allows("eth_blockNumber"));
  assert.ok(allows("personal_sign"));
  assert.not.ok(allows("eth_sendTransaction"));
  assert.not.ok(allows("eth_sendRawTransaction"));
  assert.not.ok(allows("signer_attestation"));
  assert.not.ok(allows("anvil_setBalance"));
  assert.ok(reader.allowsAccount(A.toLowerCase()));
  assert.not.ok(reader.allowsAccount(B));
  const open = createCaller(undefined);
  assert.ok(open.allowsGroup("send") && open.allowsGroup("node-admin") && open.allowsAccount(B));
  assert.is(open.keyName, undefined);
});

test("methodGroup() puts signing, sending and attestation methods in their groups, the standard reads in read and the rest in node-admin", () => {
  assert.equal(
    ["eth_sign", "personal_sign", "eth_signTypedData_v4", "eth_signTransaction", "eth_sendTransaction", "wallet_sendTransaction", "eth_sendRawTransaction", "signer_attestation", "eth_accounts", "eth_call"].map(methodGroup),
    ["sign", "sign", "sign", "sign", "send", "send", "send", "attest", "read", "read"],
  );
  for (const read of ["eth_getBalance", "eth_getLogs", "eth_blockNumber", "eth_getTransactionReceipt", "eth_chainId", "net_version", "web3_clientVersion", "eth_feeHistory", "eth_estimateGas"]) {
    assert.is(methodGroup(read), "read", read);
  }
  const nodeAdmin = [
    "anvil_setBalance", "anvil_impersonateAccount", "hardhat_impersonateAccount", "evm_snapshot", "evm_mine", "anvil_dumpState",
    "debug_traceTransaction", "admin_addPeer", "miner_start", "txpool_content", "eth_subscribe", "toString", "__proto__", "constructor", "",
  ];
  for (const method of nodeAdmin) assert.is(methodGroup(method), "node-admin", method);
  assert.is(methodGroup("eth_sendTransactionSync"), "send");
  assert.is(methodGroup("eth_sendUnsignedTransaction"), "send");
});

test("parseApiKeys() refuses bad files with a reason that never contains the key", () => {
  const bad: [unknown, RegExp][] = [
    [{}, /expected a JSON array/],
    [[{ key: "short", accounts: ["*"], methods: ["*"] }], /shorter than 16/],
    [[{ key: "k".repeat(20), keySha256: "00".repeat(32), accounts: ["*"], methods: ["*"] }], /exactly one of/],
    [[{ keySha256: "abc", accounts: ["*"], methods: ["*"] }], /exactly one of/],
    [[{ key: "k".repeat(20), accounts: [], methods: ["*"] }], /accounts must be/],
    [[{ key: "k".repeat(20), accounts: ["0x12"], methods: ["*"] }], /not an address/],
    [[{ key: "k".repeat(20), accounts: ["*"], methods: ["admin"] }], /unknown method group "admin"/],
    [[{ key: "k".repeat(20), accounts: ["*"], methods: ["*"], role: "x" }], /unknown field "role"/],
    [[{ key: "k".repeat(20), accounts: ["*"], methods: ["*"] }, { key: "k".repeat(20), accounts: ["*"], methods: ["*"] }], /appears twice/],
  ];
  for (const [value, reason] of bad) {
    try {
      parseApiKeys(value);
      assert.unreachable(`accepted ${JSON.stringify(value)}`);
    } catch (error) {
      assert.match((error as Error).message, reason);
      assert.not.match((error as Error).message, /kkkk/);
    }
  }
});

test.run();
