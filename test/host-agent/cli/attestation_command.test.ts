import { createHash } from "node:crypto";
import { test } from "uvu";
import { accountsDigest } from "../../../signer/attestation/accounts_digest.ts";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { runAttestationCommand } from "../../../host-agent/cli/attestation_command.ts";
import { createSimulatedNsm, type SimulatedNsm } from "../../../signer/nsm/simulated/nsm_simulated.ts";
import { HAVE_NITRO_FIXTURES, NITRO_FIXTURES, readRealDocument, REAL_DOCUMENTS } from "../../signer/attestation/fixtures.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const real = HAVE_NITRO_FIXTURES ? test : test.skip;

type Run = { code: number; stdout: string; stderr: string };

/** Runs the command in-process with an in-memory file system. */
async function run(args: string[], files: Record<string, Uint8Array | string> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runAttestationCommand(args, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    readFile: async (path) => {
      const file = files[path];
      if (file === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return typeof file === "string" ? new TextEncoder().encode(file) : file;
    },
  });
  return { code, stdout, stderr };
}

/** Runs `npm run host-agent -- …` as a user would. */
function spawnCli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile("npm", ["run", "--silent", "host-agent", "--", ...args], { cwd: root, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const T0 = Date.parse("2026-03-01T12:00:00Z");
let nsm: SimulatedNsm;
let simulated: Uint8Array;
const nonce = new Uint8Array(16).fill(0x11);

test.before(async () => {
  nsm = await createSimulatedNsm({ clock: () => T0, pcrs: { 0: "ab".repeat(48) } });
  simulated = await nsm.attest({ nonce, userData: new Uint8Array([1, 2]) });
});

const simulatedFiles = () => ({
  "doc.b64": Buffer.from(simulated).toString("base64"),
  "doc.bin": simulated,
  "root.pem": nsm.rootCertificatePem,
});
const at = new Date(T0 + 1000).toISOString();

real("`npm run host-agent -- attestation verify <fixture> --at <timestamp>` prints the document as JSON, exit 0", async () => {
  const doc = REAL_DOCUMENTS[1]!;
  const result = await spawnCli(["attestation", "verify", join(NITRO_FIXTURES, doc.file), "--at", new Date(doc.timestamp).toISOString()]);
  assert.is(result.code, 0, result.stderr);
  const output = JSON.parse(result.stdout);
  assert.is(output.timestamp, new Date(doc.timestamp).toISOString());
  assert.match(output.moduleId, /^i-0761a4cbcc7632aef-enc/);
  for (const i of ["0", "1", "2", "3", "4", "8"]) assert.match(output.pcrs[i], /^[0-9a-f]{96}$/);
  assert.is(output.publicKey, null);
  assert.match(output.userData, /^[0-9a-f]+$/);
  assert.is(output.nonce.length, 64);
});

real("`npm run host-agent -- attestation verify <fixture>` now fails on validity, exit 1", async () => {
  const result = await spawnCli(["attestation", "verify", join(NITRO_FIXTURES, REAL_DOCUMENTS[0]!.file)]);
  assert.is(result.code, 1);
  assert.match(result.stderr, /^attestation verification failed: validity: /);
  assert.is(result.stdout, "");
});

test("`npm run host-agent -- attestation --help` prints usage, exit 0; unknown command exits 2", async () => {
  const help = await spawnCli(["attestation", "--help"]);
  assert.is(help.code, 0);
  assert.match(help.stdout, /attestation verify <file>/);
  const unknown = await spawnCli(["no-such-command"]);
  assert.is(unknown.code, 2);
});

real("runAttestationCommand() reads raw and base64 files and checks --pcr and --nonce", async () => {
  const doc = REAL_DOCUMENTS[2]!;
  const bytes = readRealDocument(doc.file);
  const files = { "raw.bin": bytes, "doc.b64": await readFile(join(NITRO_FIXTURES, doc.file)) };
  const time = new Date(doc.timestamp).toISOString();
  const raw = await run(["verify", "raw.bin", "--at", time], files);
  assert.is(raw.code, 0, raw.stderr);
  const b64 = await run(["verify", "doc.b64", `--at=${doc.timestamp}`], files);
  assert.equal(JSON.parse(b64.stdout), JSON.parse(raw.stdout));
  const output = JSON.parse(raw.stdout);
  assert.is(output.pcrs["0"], "00".repeat(48), "debug enclave");
  const pcr = await run(["verify", "raw.bin", "--at", time, "--pcr", `4=${output.pcrs["4"]}`, "--nonce", output.nonce], files);
  assert.is(pcr.code, 0, pcr.stderr);
  const wrong = await run(["verify", "raw.bin", "--at", time, "--pcr", `0=${"11".repeat(48)}`], files);
  assert.is(wrong.code, 1);
  assert.match(wrong.stderr, /^attestation verification failed: pcr: PCR0 is 0{96}, expected (11){48}\n$/);
});

test("runAttestationCommand() verifies a simulated document with --root", async () => {
  const result = await run(["verify", "doc.b64", "--root", "root.pem", "--at", at, "--nonce", "11".repeat(16)], simulatedFiles());
  assert.is(result.code, 0, result.stderr);
  const output = JSON.parse(result.stdout);
  assert.is(output.moduleId, nsm.moduleId);
  assert.is(output.pcrs["0"], "ab".repeat(48));
  assert.is(output.userData, "0102");
  assert.is(output.nonce, "11".repeat(16));
  assert.is((await run(["verify", "doc.bin", "--root", "root.pem", "--at", at], simulatedFiles())).code, 0);
});

test("runAttestationCommand() reports each failure with its check, as text or --json", async () => {
  const noRoot = await run(["verify", "doc.b64", "--at", at], simulatedFiles());
  assert.is(noRoot.code, 1);
  assert.match(noRoot.stderr, /^attestation verification failed: root: /);
  const json = await run(["verify", "doc.b64", "--at", at, "--json"], simulatedFiles());
  assert.is(json.code, 1);
  assert.is(JSON.parse(json.stdout).check, "root");
  assert.is(JSON.parse(json.stdout).verified, false);
  const nonceMismatch = await run(["verify", "doc.b64", "--root", "root.pem", "--at", at, "--nonce", "22"], simulatedFiles());
  assert.match(nonceMismatch.stderr, /^attestation verification failed: nonce: /);
  const expired = await run(["verify", "doc.b64", "--root", "root.pem", "--at", "2026-03-02T00:00:00Z"], simulatedFiles());
  assert.match(expired.stderr, /^attestation verification failed: validity: /);
  const truncated = await run(["verify", "short.bin", "--root", "root.pem"], { ...simulatedFiles(), "short.bin": simulated.subarray(0, 100) });
  assert.match(truncated.stderr, /^attestation verification failed: cbor: /);
});

test("runAttestationCommand() --user-data, --accounts (the accounts digest) and --max-age check the document", async () => {
  const files = simulatedFiles();
  const verify = (...flags: string[]) => run(["verify", "doc.b64", "--root", "root.pem", "--at", at, ...flags], files);
  assert.is((await verify("--user-data", "0102", "--max-age", "1")).code, 0);
  assert.match((await verify("--user-data", "0x0103")).stderr, /^attestation verification failed: user-data: /);
  assert.match((await verify("--max-age", "0")).stderr, /^attestation verification failed: /);
  const a = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", b = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
  const withAccounts = await nsm.attest({ nonce, userData: await accountsDigest([a, b]) });
  const accountFiles = { ...files, "accounts.b64": Buffer.from(withAccounts).toString("base64") };
  const accounts = (list: string) => run(["verify", "accounts.b64", "--root", "root.pem", "--at", at, "--accounts", list], accountFiles);
  assert.is((await accounts(`${b.toLowerCase()}, ${a}`)).code, 0, "any order and case");
  assert.match((await accounts(a)).stderr, /^attestation verification failed: user-data: /);
  assert.is((await accounts("0x12")).code, 2);
});

test("runAttestationCommand() --policy: passes only when the document binds exactly that policy to that account (the README's formula)", async () => {
  const a = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", b = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
  const policy = `0x${"5e".repeat(32)}`;
  // Computed by the README's formula, not by the project's own accountsDigest: lines "<lowercase address> <policy>",
  // sorted, joined with "\n", SHA-256.
  const lines = [`${b.toLowerCase()} ${policy}`, `${a.toLowerCase()} unrestricted`].sort().join("\n");
  const userData = new Uint8Array(createHash("sha256").update(lines).digest());
  assert.equal(userData, await accountsDigest([{ address: a, policy: "unrestricted" }, { address: b, policy }]));
  const document = await nsm.attest({ nonce, userData });
  const files = { ...simulatedFiles(), "policy.b64": Buffer.from(document).toString("base64") };
  const verify = (...flags: string[]) => run(["verify", "policy.b64", "--root", "root.pem", "--at", at, "--accounts", `${a},${b}`, ...flags], files);
  assert.is((await verify("--policy", `${b}=${policy}`)).code, 0);
  assert.is((await verify("--policy", `${b.toLowerCase()}=${policy.toUpperCase().replace("0X", "0x")}`)).code, 0, "any case");
  for (const flags of [[], ["--policy", `${b}=0x${"5f".repeat(32)}`], ["--policy", `${b}=none`], ["--policy", `${a}=${policy}`, "--policy", `${b}=${policy}`]]) {
    assert.match((await verify(...flags)).stderr, /^attestation verification failed: user-data: /, flags.join(" "));
  }
  assert.is((await verify("--policy", `0x${"11".repeat(20)}=${policy}`)).code, 2, "an address outside --accounts");
  assert.is((await verify("--policy", `${b}=0x1234`)).code, 2);
});

test("runAttestationCommand() exits 2 with a one-line reason on bad usage", async () => {
  const cases: string[][] = [
    [],
    ["inspect", "doc.b64"],
    ["verify"],
    ["verify", "doc.b64", "other.b64"],
    ["verify", "doc.b64", "--bogus"],
    ["verify", "doc.b64", "--at", "yesterday"],
    ["verify", "doc.b64", "--at"],
    ["verify", "doc.b64", "--pcr", "0=abcd"],
    ["verify", "doc.b64", "--pcr", "40=" + "00".repeat(48)],
    ["verify", "doc.b64", "--nonce", "xyz"],
    ["verify", "missing.b64"],
    ["verify", "doc.b64", "--root", "missing.pem"],
    ["verify", "doc.b64", "--root", "doc.b64"],
    ["verify", "garbage.txt"],
  ];
  for (const args of cases) {
    const result = await run(args, { ...simulatedFiles(), "garbage.txt": "this is not a document!" });
    assert.is(result.code, 2, `${args.join(" ")}: ${result.stdout}${result.stderr}`);
    assert.is(result.stderr.trim().split("\n").length, 1, `one line for ${args.join(" ")}: ${result.stderr}`);
    assert.is(result.stdout, "");
  }
});

test("runAttestationCommand() --help prints the usage", async () => {
  const result = await run(["--help"]);
  assert.is(result.code, 0);
  assert.match(result.stdout, /--pcr N=HEX/);
  assert.match(result.stdout, /--json/);
});

test.run();
