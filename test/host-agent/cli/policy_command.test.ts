import { test } from "uvu";
import * as assert from "uvu/assert";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { recoverTypedDataAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { runPolicyCommand, type PolicyCommandIo } from "../../../host-agent/cli/policy_command.ts";
import type { HostContext } from "../../../host-agent/config/host_context.ts";
import { policyApprovalTypedData, policyDigest, type SignerClient } from "../../../signer/mod.ts";

const ADMIN = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"); // Anvil dev key #1
const ACCOUNT = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const PREFIX = "nitro-signer/keys/";
const DOCUMENT = JSON.stringify({
  version: 1,
  account: ACCOUNT,
  sequence: 3,
  notAfter: "2099-01-01T00:00:00Z",
  rules: [{ id: "pay", effect: "allow", action: "transaction", chainIds: [31337], to: [ADMIN.address], maxValue: "1000" }],
}, null, 2);

/** Secrets Manager as a map: CreateSecret, PutSecretValue, GetSecretValue, ListSecrets. */
function fakeSecrets() {
  const values = new Map<string, string>();
  const client = {
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const { input } = command;
      const error = (name: string) => Object.assign(new Error(name), { name });
      switch (command.constructor.name) {
        case "CreateSecretCommand":
          if (values.has(input.Name as string)) throw error("ResourceExistsException");
          values.set(input.Name as string, input.SecretString as string);
          return {};
        case "PutSecretValueCommand":
          if (!values.has(input.SecretId as string)) throw error("ResourceNotFoundException");
          values.set(input.SecretId as string, input.SecretString as string);
          return {};
        case "GetSecretValueCommand":
          if (!values.has(input.SecretId as string)) throw error("ResourceNotFoundException");
          return { SecretString: values.get(input.SecretId as string) };
        case "ListSecretsCommand":
          return { SecretList: [...values.keys()].map((Name) => ({ Name })) };
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    },
  };
  return { values, client: client as unknown as SecretsManagerClient };
}

function harness(signer: (method: string, params: unknown) => unknown, files: Record<string, string> = { "policy.json": DOCUMENT }) {
  const out: string[] = [];
  const err: string[] = [];
  const secrets = fakeSecrets();
  const io: PolicyCommandIo = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readFile: async (path) => {
      if (!(path in files)) throw new Error("ENOENT");
      return new TextEncoder().encode(files[path]);
    },
    openContext: async () =>
      ({
        signer: { request: async (method: string, params: unknown) => signer(method, params), close() {} } as unknown as SignerClient,
        secrets: secrets.client,
        prefix: PREFIX,
        verify: {},
        close() {},
      }) satisfies HostContext,
    now: () => Date.parse("2026-01-01T00:00:00Z"),
  };
  return { io, out, err, secrets, run: (args: string[]) => runPolicyCommand(args, io) };
}

const digest = policyDigest(JSON.parse(DOCUMENT));
const noSigner = () => {
  throw new Error("the signer was asked");
};

test("policy digest prints the digest and the EIP-712 message; --json typed data is what an admin signs", async () => {
  const h = harness(noSigner);
  assert.is(await h.run(["digest", "policy.json"]), 0);
  assert.match(h.out.join(""), new RegExp(`digest    ${digest}`));
  assert.match(h.out.join(""), /PolicyApproval\(address account,bytes32 policyDigest,uint64 sequence\)/);
  const json = harness(noSigner);
  assert.is(await json.run(["digest", "policy.json", "--json"]), 0);
  const printed = JSON.parse(json.out.join(""));
  assert.is(printed.digest, digest);
  assert.is(printed.account, ACCOUNT);
  assert.is(printed.sequence, 3);
  // Signed from the printed JSON (as cast or viem would), the approval is the one the signer's typed data recovers.
  const { EIP712Domain: _, ...types } = printed.typedData.types;
  const signature = await ADMIN.signTypedData({ ...printed.typedData, types });
  const expected = policyApprovalTypedData({ account: ACCOUNT, digest, sequence: 3 });
  assert.is(await recoverTypedDataAddress({ ...expected, signature }), ADMIN.address);
  assert.is(signature, await ADMIN.signTypedData(expected));
});

test("policy digest refuses a bad document with the field, before anything is signed", async () => {
  const cases: [string, RegExp][] = [
    ["{", /not JSON/],
    [JSON.stringify({ ...JSON.parse(DOCUMENT), colour: "red" }), /colour/],
    [JSON.stringify({ ...JSON.parse(DOCUMENT), notAfter: "2020-01-01T00:00:00Z" }), /notAfter/],
  ];
  for (const [text, message] of cases) {
    const h = harness(noSigner, { "bad.json": text });
    assert.is(await h.run(["digest", "bad.json"]), 1);
    assert.match(h.err.join(""), message);
    assert.is(h.out.join(""), "");
  }
});

test("policy usage errors exit 2 with one line", async () => {
  for (const args of [["digest"], ["apply", "policy.json"], ["apply", "policy.json", "--signature", "0x12"], ["show"], ["show", "--account", "0x12"], ["nope"], ["digest", "policy.json", "--signature", `0x${"11".repeat(65)}`]]) {
    const h = harness(noSigner);
    assert.is(await h.run(args), 2, args.join(" "));
    assert.is(h.err.join("").trim().split("\n").length, 1, h.err.join(""));
  }
  const help = harness(noSigner);
  assert.is(await help.run(["--help"]), 0);
  assert.match(help.out.join(""), /policy apply FILE --signature/);
});

test("policy apply stores the document only when the signer accepted it", async () => {
  const approval = await ADMIN.signTypedData(policyApprovalTypedData({ account: ACCOUNT, digest, sequence: 3 }));
  const refused = harness((method) => {
    assert.is(method, "policy.apply");
    throw Object.assign(new Error("Invalid approvals: 1 of 2 admins approved"), { code: "INVALID_PARAMS" });
  });
  assert.is(await refused.run(["apply", "policy.json", "--signature", approval]), 1);
  assert.match(refused.err.join(""), /policy apply refused: INVALID_PARAMS: Invalid approvals: 1 of 2 admins approved/);
  assert.is(refused.secrets.values.size, 0);

  const calls: unknown[] = [];
  const accepted = harness((method, params) => {
    calls.push({ method, params });
    return { address: ACCOUNT.toLowerCase(), digest, sequence: 3 };
  });
  assert.is(await accepted.run(["apply", "policy.json", "--signature", approval, "--json"]), 0);
  assert.equal(calls, [{ method: "policy.apply", params: { document: DOCUMENT, approvals: [approval] } }]);
  assert.equal(JSON.parse(accepted.out.join("")), { address: ACCOUNT, digest, sequence: 3, stored: true });
  assert.equal(JSON.parse(accepted.secrets.values.get(`${PREFIX}policy/${ACCOUNT}`)!), { version: 1, document: DOCUMENT, approvals: [approval] });
  // A later version replaces the stored one (a new secret version).
  assert.is(await accepted.run(["apply", "policy.json", "--signature", approval]), 0);
  assert.is(accepted.secrets.values.size, 1);
});

test("policy show: the signer's policy and whether the stored document is the one in force", async () => {
  const governance = { admins: [ADMIN.address.toLowerCase() as `0x${string}`], threshold: 1 };
  const h = harness((method, params) => {
    assert.is(method, "policy.describe");
    assert.equal(params, { address: ACCOUNT });
    return { rules: [], accounts: [{ address: ACCOUNT, policy: { kind: "policy", governance, digest, sequence: 3, notAfter: "2099-01-01T00:00:00.000Z" }, document: DOCUMENT, windows: [] }] };
  });
  h.secrets.values.set(`${PREFIX}policy/${ACCOUNT}`, JSON.stringify({ version: 1, document: DOCUMENT, approvals: [] }));
  assert.is(await h.run(["show", "--account", ACCOUNT.toLowerCase(), "--json"]), 0);
  const shown = JSON.parse(h.out.join(""));
  assert.is(shown.policy.digest, digest);
  assert.equal(shown.stored, { digest, matches: true });
  const text = harness(() => ({ rules: [], accounts: [{ address: ACCOUNT, policy: { kind: "none", governance } }] }));
  assert.is(await text.run(["show", "--account", ACCOUNT]), 0);
  assert.match(text.out.join(""), /none in force \(signs nothing\)/);
  assert.match(text.out.join(""), /stored    none stored/);
});

test.run();
