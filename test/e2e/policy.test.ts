import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { bytesToHex, createWalletClient, http, parseEther, toHex, type Hex } from "viem";
import { foundry } from "viem/chains";
import { startLocalStack } from "../../local/start_local_stack_node.ts";
import { createSignerClient, SignerRequestError } from "../../signer/protocol/create_signer_client.ts";
import { parseSignerAddress } from "../../signer/transport/parse_signer_address.ts";
import { nodeTransport } from "../../signer/transport/transport_node.ts";
import { errorOf } from "../helpers/error_of.ts";
import { ADMIN_A, ADMIN_B, approve, documentDigest, NEXT_YEAR, OUTSIDER, rpcRefusal } from "../helpers/policy_admins.ts";
import { call } from "../helpers/rpc.ts";
import { tempDir } from "../helpers/temp_dir.ts";

// A governed key's policy end to end (issue 12), through real processes: the whole local stack (Anvil, the KMS
// and Secrets Manager stand-ins, the Deno signer, the rpc-proxy), the host-agent CLI (keys generate --admin,
// policy digest|apply|show, attestation verify) and admins signing approvals with viem. The rule kinds and limits
// are in policy_rules.test.ts and policy_limits.test.ts; that the governance sealed with a key cannot be changed by
// editing its stored record is in governed_keys.test.ts.
const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;
let dir: Awaited<ReturnType<typeof tempDir>>;
let stack: Awaited<ReturnType<typeof startLocalStack>>;
let lines: string[] = [];
let gov: Hex;

const ALICE: Hex = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const BOB: Hex = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

const cli = (args: string[]) => run(process.execPath, ["--import", "tsx", "host-agent/main_node.ts", ...args], { cwd: root, timeout: 60_000 });
const hostAgent = (args: string[]) => cli([...args, "--state-dir", dir.path]);
const failure = (promise: Promise<unknown>) =>
  promise.then(() => undefined, (error: { code: number; stderr: string; stdout: string }) => error);
const start = async () => {
  lines = [];
  stack = await startLocalStack({ stateDir: dir.path, port: 0, log: (line) => lines.push(line) });
};
const signerClient = () => createSignerClient(() => nodeTransport.connect(parseSignerAddress(stack.signerAddress)));
const nonce = () => call<Hex>(stack.upstreamUrl, "eth_getTransactionCount", [gov, "pending"]);
const inForce = async () => (await call<{ digest: Hex | null }>(stack.url, "signer_policy", [gov])).digest;

test.before(async () => {
  dir = await tempDir("policy-");
  await start();
});
test.after(async () => {
  await stack?.stop();
  await dir.remove();
});

/** The policy the tests put in force: payments to Alice up to 1 ETH, messages starting with "gm". */
const policy = (sequence: number, maxValue = parseEther("1")) => ({
  version: 1,
  account: gov,
  sequence,
  notAfter: NEXT_YEAR,
  rules: [
    { id: "pay-alice", effect: "allow", action: "transaction", chainIds: [31337], to: [ALICE], maxValue: maxValue.toString(), selectors: ["0x"] },
    { id: "greetings", effect: "allow", action: "message", prefix: "gm" },
  ],
});
let digest1: Hex;
let digest2: Hex;

async function writeDocument(name: string, document: unknown): Promise<string> {
  const file = join(dir.path, name);
  await writeFile(file, JSON.stringify(document, null, 2));
  return file;
}

test("a governed key (keys generate --admin A --admin B --threshold 2) signs nothing before a policy: no-policy, through the proxy and over the socket", async () => {
  const { stdout } = await hostAgent(["keys", "generate", "--label", "treasury", "--admin", ADMIN_A.address, "--admin", ADMIN_B.address, "--threshold", "2", "--json"]);
  const generated = JSON.parse(stdout);
  gov = generated.address;
  assert.equal(generated.governance, { admins: [ADMIN_A.address, ADMIN_B.address].map((a) => a.toLowerCase()).sort(), threshold: 2 });
  await call(stack.upstreamUrl, "anvil_setBalance", [gov, toHex(10n * 10n ** 18n)]);
  const before = await nonce();

  const wallet = createWalletClient({ account: gov, chain: foundry, transport: http(stack.url) });
  for (const refusal of [
    rpcRefusal(wallet.sendTransaction({ to: ALICE, value: 1n })),
    rpcRefusal(wallet.signMessage({ message: "gm" })),
  ]) {
    const { code, data } = await refusal;
    assert.is(code, -32050);
    assert.is(data.rule, "no-policy");
    assert.match(data.reason, /governed by 2 of 2 admins and has no policy in force/);
  }
  assert.equal((await call(stack.url, "signer_checkPolicy", [{ method: "eth_sendTransaction", params: [{ from: gov, to: ALICE, value: "0x1" }] }])).rule, "no-policy");

  const signer = signerClient();
  try {
    const tx = { type: "0x2", chainId: "0x7a69", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x77359400", maxPriorityFeePerGas: "0x1", to: ALICE, value: "0x1" } as const;
    // Every rejection handled at once: requests answered while an earlier one is awaited must not go unhandled.
    const errors = await Promise.all([
      signer.request("sign.transaction", { address: gov, transaction: tx }),
      signer.request("sign.message", { address: gov, message: new TextEncoder().encode("gm") }),
      signer.request("sign.authorization", { address: gov, authorization: { chainId: "0x7a69", address: ALICE, nonce: "0x0" } }),
    ].map(errorOf));
    for (const error of errors) {
      assert.is(error.code, "POLICY_REFUSED", error.message);
      assert.is((error as unknown as { data: { rule: string } }).data.rule, "no-policy");
    }
  } finally {
    signer.close();
  }
  assert.is(await nonce(), before, "nothing was broadcast");
  const { keys } = JSON.parse((await hostAgent(["keys", "list", "--json"])).stdout);
  assert.equal(keys.find((k: { address: string }) => k.address === gov).policy.kind, "none");
});

test("policy digest → both admins sign the typed data → policy apply: in force; policy show, signer_policy and keys list agree", async () => {
  const document = policy(1);
  const file = await writeDocument("policy-1.json", document);
  const printed = JSON.parse((await hostAgent(["policy", "digest", file, "--json"])).stdout);
  digest1 = documentDigest(document);
  assert.is(printed.digest, digest1, "the digest is SHA-256 of the RFC 8785 canonical JSON");
  assert.is(printed.sequence, 1);
  assert.equal(printed.typedData.message, { account: gov, policyDigest: digest1, sequence: 1 });
  // The admins sign exactly what the CLI printed (as they would with a hardware wallet or cast).
  const signatures = await Promise.all([ADMIN_A, ADMIN_B].map((admin) => admin.signTypedData(printed.typedData)));
  assert.equal(signatures, await approve(document, [ADMIN_A, ADMIN_B]));

  const applied = JSON.parse((await hostAgent(["policy", "apply", file, "--signature", signatures[0]!, "--signature", signatures[1]!, "--json"])).stdout);
  assert.equal(applied, { address: gov, digest: digest1, sequence: 1, stored: true });

  const shown = JSON.parse((await hostAgent(["policy", "show", "--account", gov, "--json"])).stdout);
  assert.is(shown.policy.kind, "policy");
  assert.is(shown.policy.digest, digest1);
  assert.equal(shown.stored, { digest: digest1, matches: true });
  const rpc = await call(stack.url, "signer_policy", [gov]);
  assert.is(rpc.digest, digest1);
  assert.is(rpc.sequence, 1);
  assert.equal(rpc.document, document);
  const { keys } = JSON.parse((await hostAgent(["keys", "list", "--json"])).stdout);
  assert.is(keys.find((k: { address: string }) => k.address === gov).policy.digest, digest1);
  const text = (await hostAgent(["policy", "show", "--account", gov])).stdout;
  assert.match(text, new RegExp(`policy    #1 ${digest1}`));
  assert.match(text, /stored    stored: the one in force/);

  // In force: what it allows is signed and mined, the rest refused by its rules.
  const wallet = createWalletClient({ account: gov, chain: foundry, transport: http(stack.url) });
  await wallet.sendTransaction({ to: ALICE, value: parseEther("0.1") });
  assert.match(await wallet.signMessage({ message: "gm frens" }), /^0x[0-9a-f]{130}$/);
  assert.is((await rpcRefusal(wallet.sendTransaction({ to: BOB, value: 1n }))).data.rule, "no-allow-rule");
});

test("approvals: too few, a non-admin's, for another account or digest, a document changed after signing, a replayed sequence — each refused, the policy in force unchanged", async () => {
  const next = policy(2, parseEther("2"));
  const file = await writeDocument("policy-2.json", next);
  const [a, b] = await approve(next, [ADMIN_A, ADMIN_B]);
  const [outsider] = await approve(next, [OUTSIDER]);
  const other = policy(2, parseEther("3"));
  const changedFile = await writeDocument("policy-2-changed.json", other);
  const cases: [string, string, Hex[], RegExp][] = [
    ["too few", file, [a!], /1 distinct admin approved; 2 of 2 required/],
    ["the same admin twice", file, [a!, a!], /1 distinct admin approved; 2 of 2 required/],
    ["a non-admin's", file, [a!, outsider!], new RegExp(`approvals\\[1\\].*recovers to ${OUTSIDER.address.toLowerCase()}, not an admin`)],
    ["for another account", file, await approve(next, [ADMIN_A, ADMIN_B], { account: stack.accounts[0]! }), /not an admin .* or it approves another account, digest or sequence/],
    ["for another digest", file, await approve(next, [ADMIN_A, ADMIN_B], { digest: digest1 }), /not an admin .* or it approves another account, digest or sequence/],
    ["for another sequence", file, await approve(next, [ADMIN_A, ADMIN_B], { sequence: 3 }), /not an admin .* or it approves another account, digest or sequence/],
    ["a document changed after signing", changedFile, [a!, b!], /not an admin .* or it approves another account, digest or sequence/],
    ["an equal sequence, approved", await writeDocument("policy-1-other.json", policy(1, 5n)), await approve(policy(1, 5n), [ADMIN_A, ADMIN_B]), /policy.sequence: 1 is not above 1, the sequence in force/],
    ["the document in force, again", join(dir.path, "policy-1.json"), await approve(policy(1), [ADMIN_A, ADMIN_B]), /policy.sequence: 1 is not above 1/],
  ];
  for (const [name, path, signatures, message] of cases) {
    const args = signatures.flatMap((s) => ["--signature", s]);
    const error = await failure(hostAgent(["policy", "apply", path, ...args]));
    assert.ok(error, `${name}: accepted`);
    assert.is(error!.code, 1, name);
    assert.match(error!.stderr, /^policy apply refused: INVALID_PARAMS: /, name);
    assert.match(error!.stderr, message, `${name}: ${error!.stderr}`);
    assert.is(error!.stderr.trim().split("\n").length, 1, `${name}: one line`);
    assert.is(await inForce(), digest1, `${name}: the policy in force changed`);
  }
  const shown = JSON.parse((await hostAgent(["policy", "show", "--account", gov, "--json"])).stdout);
  assert.equal(shown.stored, { digest: digest1, matches: true }, "a refused document is not stored");

  // The real sequence 2 goes in; then sequence 1, approved by both admins, is a replay of a lower sequence.
  digest2 = JSON.parse((await hostAgent(["policy", "apply", file, "--signature", b!, "--signature", a!, "--json"])).stdout).digest;
  assert.is(digest2, documentDigest(next));
  assert.is(await inForce(), digest2);
  const replay = await failure(hostAgent(["policy", "apply", join(dir.path, "policy-1.json"), ...(await approve(policy(1), [ADMIN_A, ADMIN_B])).flatMap((s) => ["--signature", s])]));
  assert.is(replay?.code, 1);
  assert.match(replay!.stderr, /policy.sequence: 1 is not above 2, the sequence in force/);
  assert.is(await inForce(), digest2);
  // The CLI refuses a malformed document before anything reaches the signer, naming the field.
  const bad = await failure(hostAgent(["policy", "apply", await writeDocument("bad.json", { ...next, sequence: 3, rules: [{ ...next.rules[0], maxValue: 1 }] }), "--signature", a!]));
  assert.is(bad?.code, 1);
  assert.match(bad!.stderr, /policy apply failed: .*policy\.rules\[0\]\.maxValue/);
});

test("after a restart of the whole stack the policy is in force again, and the governed key is never served unrestricted meanwhile", async () => {
  await stack.stop();
  const outside = { tx: { type: "0x2", chainId: "0x7a69", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x77359400", maxPriorityFeePerGas: "0x1", to: BOB, value: "0x1" } as const, message: new TextEncoder().encode("not a greeting") };
  const answers: { phase: "starting" | "started"; code: string; rule?: string }[] = [];
  let signed = 0;
  let phase = "starting" as "starting" | "started" | "done";
  // Poll the signer's socket from the moment it appears until the stack is up, with requests the policy refuses.
  const poller = (async () => {
    let client: ReturnType<typeof createSignerClient> | undefined;
    let socket: string | undefined;
    while (phase !== "done") {
      if (!socket) {
        // The stack puts each instance's signer socket in its own directory under instances/.
        socket = (await readdir(dir.path, { recursive: true })).find((name) => /(^|\/)signer-\d+-\d+\.sock$/.test(name));
        if (!socket) {
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        client = createSignerClient(() => nodeTransport.connect({ transport: "unix", path: join(dir.path, socket!) }));
      }
      const current = phase;
      // Settled together, so a refusal that arrives while the other is awaited is never an unhandled rejection.
      const settled = await Promise.allSettled([
        client!.request("sign.transaction", { address: gov, transaction: outside.tx }),
        client!.request("sign.message", { address: gov, message: outside.message }),
      ]);
      for (const outcome of settled) {
        try {
          if (outcome.status === "rejected") throw outcome.reason;
          signed++;
        } catch (error) {
          const data = error instanceof SignerRequestError ? (error.data as { rule?: string } | undefined) : undefined;
          answers.push({ phase: current as "starting" | "started", code: (error as { code: string }).code, ...(data?.rule ? { rule: data.rule } : {}) });
        }
      }
      if (current === "started") phase = "done";
    }
    client?.close();
  })();
  try {
    await start();
  } finally {
    if (phase === "starting") phase = "started";
    await poller;
  }
  assert.is(signed, 0, "a request outside the policy was signed during start-up");
  for (const answer of answers) {
    assert.ok(["UNAVAILABLE", "UNKNOWN_ACCOUNT", "POLICY_REFUSED"].includes(answer.code), JSON.stringify(answer));
    if (answer.code === "POLICY_REFUSED") assert.ok(["no-policy", "no-allow-rule"].includes(answer.rule!), JSON.stringify(answer));
  }
  assert.ok(answers.some((a) => a.phase === "starting" && a.code !== "UNAVAILABLE"), `the signer was never reached during start-up: ${JSON.stringify(answers.slice(0, 5))}`);
  assert.equal(answers.filter((a) => a.phase === "started").map((a) => a.rule), ["no-allow-rule", "no-allow-rule"]);

  // The host-agent daemon puts stored policies back in force after the keys, and logs only the ones refused.
  assert.not.ok(lines.some((l) => l.includes("policies-failed")), lines.join("\n"));
  assert.is(await inForce(), digest2);
  const shown = JSON.parse((await hostAgent(["policy", "show", "--account", gov, "--json"])).stdout);
  assert.equal([shown.policy.sequence, shown.stored], [2, { digest: digest2, matches: true }]);
  const wallet = createWalletClient({ account: gov, chain: foundry, transport: http(stack.url) });
  await wallet.sendTransaction({ to: ALICE, value: parseEther("1.5") });
  assert.is((await rpcRefusal(wallet.sendTransaction({ to: BOB, value: 1n }))).data.rule, "no-allow-rule");
});

test("signer_attestation binds the policy: attestation verify --accounts … --policy governed=digest passes; a wrong digest or no --policy fails", async () => {
  const nonce = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
  const file = join(dir.path, "attestation.b64");
  await writeFile(file, await call<string>(stack.url, "signer_attestation", [nonce]));
  const info = JSON.parse(await readFile(join(dir.path, "stack.json"), "utf8"));
  const accounts = await call<Hex[]>(stack.url, "eth_accounts");
  assert.ok(accounts.includes(gov) && accounts.length === 2, accounts.join(","));
  const verify = (...flags: string[]) =>
    cli(["attestation", "verify", file, "--root", info.attestationRootFile, "--nonce", nonce.slice(2), "--pcr", `0=${info.pcr0}`, "--accounts", accounts.join(","), ...flags]);
  const verified = JSON.parse((await verify("--policy", `${gov}=${digest2}`)).stdout);
  assert.is(verified.nonce.replace(/^0x/, ""), nonce.slice(2));
  for (const flags of [["--policy", `${gov}=${digest1}`], ["--policy", `${gov}=none`], []]) {
    const error = await failure(verify(...flags));
    assert.ok(error, `verified with ${flags.join(" ") || "no --policy"}`);
    assert.is(error!.code, 1);
    assert.match(error!.stderr, /attestation verification failed: /);
  }
});

test.run();
