import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readPcr0File } from "../../deploy/lib/read_signer_context.ts";
import { parseSignerConfig } from "../../signer/parse_signer_config.ts";
import { ENCLAVE_LOG_PORT } from "../../signer/logging/enclave_log_port.ts";
import { binaryPath } from "../../local/binaries_node.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { testWithTool } from "../helpers/missing_tool.ts";

// The enclave image build, as far as it runs here: no Docker engine and no nitro-cli, so the script runs
// against fakes of both (test/fakes/), and `deno compile` runs with the full Deno binary standing in for the
// `denort` runtime it would download (no network): the module graph, permissions, embedded files and
// reproducibility are real; the binaries themselves are not runnable services.
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FAKES = join(ROOT, "test/fakes");
const dockerfile = readFileSync(join(ROOT, "signer/Dockerfile"), "utf8");

/** The library Debian's libsecp256k1-1 installs here (.ci/run installs it); the image's copy must be this file. */
const SYSTEM_SECP256K1 = "/usr/lib/x86_64-linux-gnu/libsecp256k1.so.1";
const withSystemLibrary = testWithTool(existsSync(SYSTEM_SECP256K1), SYSTEM_SECP256K1, "apt-get install libsecp256k1-1");
const PIN = /^# {3}pin: libsecp256k1-1=(\S+) deb-sha256=([0-9a-f]{64}) so-sha256=([0-9a-f]{64})$/m;
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

const run = (command: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(command, args, { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, timeout: 300_000 });

/**
 * The command `nitro-cli build-enclave` writes into the EIF for the enclave's init to execute
 * (aws-nitro-enclaves-cli enclave_build/src/docker.rs, `extract_image`): the image's CMD when there is one, else
 * its ENTRYPOINT, never the two joined as `docker run` would. The last instruction of each kind wins, as in Docker.
 */
function nitroCliCommand(text: string): string[] | undefined {
  const last = (instruction: string) => {
    const lines = [...text.matchAll(new RegExp(`^${instruction}\\s+(.*)$`, "gm"))].map((m) => m[1]!.trim());
    if (lines.length === 0) return undefined;
    const value = lines.at(-1)!;
    assert.ok(value.startsWith("["), `${instruction} must use the exec (JSON) form: ${value}`);
    return JSON.parse(value) as string[];
  };
  return last("CMD") ?? last("ENTRYPOINT");
}

test("the Dockerfile has one base image, pinned by sha256 digest, and copies the compiled signer", () => {
  const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
  assert.is(froms.length, 1);
  assert.match(froms[0]!, /^gcr\.io\/distroless\/cc-debian12@sha256:[0-9a-f]{64}$/);
  assert.match(dockerfile, /^COPY bin\/signer \/usr\/local\/bin\/signer$/m);
});

test("the command nitro-cli extracts (CMD, else ENTRYPOINT, never joined) starts with the signer binary", () => {
  const command = nitroCliCommand(dockerfile);
  assert.ok(command, "the image has neither CMD nor ENTRYPOINT");
  assert.is(command[0], "/usr/local/bin/signer");
  // The form that never booted: Docker would run `signer --listen …`, the enclave's init execs "--listen".
  const split = 'ENTRYPOINT ["/usr/local/bin/signer"]\nCMD ["--listen", "vsock://-1:5000"]\n';
  assert.is(nitroCliCommand(split)![0], "--listen");
  assert.is(nitroCliCommand('ENTRYPOINT ["/usr/local/bin/signer", "--listen", "vsock://-1:5000"]\n')![0], "/usr/local/bin/signer");
});

test("the image's command starts the signer in enclave mode: device NSM, vsock 5000, KMS through vsock CID 3 port 8000, logs to CID 3 port 5001", () => {
  const [binary, ...args] = nitroCliCommand(dockerfile)!;
  assert.is(binary, "/usr/local/bin/signer");
  const config = parseSignerConfig(args, {});
  assert.is(config.mode, "enclave");
  assert.is(config.nsm, "device");
  assert.equal(config.listen, { transport: "vsock", cid: -1, port: 5000 });
  assert.equal(config.kmsProxy, { transport: "vsock", cid: 3, port: 8000 });
  assert.equal(config.logTo, { transport: "vsock", cid: 3, port: ENCLAVE_LOG_PORT });
  assert.is(config.windows, "fleet", "the fleet's windows (issue 13)");
  assert.ok(args.join(" ").includes("--windows fleet"), "written explicitly, not left to the default");
  assert.throws(() => parseSignerConfig([...args, "--nsm", "simulated"], {}), /simulated NSM/);
});

test("the image carries Debian bookworm's libsecp256k1-1, pinned by package version, .deb hash and file hash, and the signer loads it from where it is copied", () => {
  const pin = PIN.exec(dockerfile);
  assert.ok(pin, "no pin line for libsecp256k1-1");
  assert.is(pin[1], "0.2.0-2", "bookworm's version (the distroless base is bookworm)");
  assert.match(dockerfile, /^COPY lib\/libsecp256k1\.so\.1 \/usr\/lib\/x86_64-linux-gnu\/libsecp256k1\.so\.1$/m);
  const [, ...args] = nitroCliCommand(dockerfile)!;
  const config = parseSignerConfig(args, {});
  assert.is(config.curve, "native", "enclave mode signs natively");
  assert.is(config.secp256k1, "/usr/lib/x86_64-linux-gnu/libsecp256k1.so.1");
  assert.throws(() => parseSignerConfig([...args, "--curve", "wasm"], {}), /enclave mode/);
});

withSystemLibrary("the pinned file hash is that of the library libsecp256k1-1 installs (the same package as CI's)", () => {
  assert.is(sha256(SYSTEM_SECP256K1), PIN.exec(dockerfile)![3]);
});

test("fetch-libsecp256k1.sh refuses a library or a .deb that is not the pinned one, and writes nothing then", async () => {
  const dir = await tempDir("secp-");
  try {
    mkdirSync(join(dir.path, "a/lib"), { recursive: true });
    writeFileSync(join(dir.path, "a/lib/libsecp256k1.so.1"), "not the library");
    const tampered = run("scripts/fetch-libsecp256k1.sh", ["--dist", join(dir.path, "a")]);
    assert.is(tampered.status, 1);
    assert.match(tampered.stderr, /is not the pinned library/);
    assert.is(readFileSync(join(dir.path, "a/lib/libsecp256k1.so.1"), "utf8"), "not the library");
    writeFileSync(join(dir.path, "fake.deb"), "!<arch>\n");
    const badDeb = run("scripts/fetch-libsecp256k1.sh", ["--dist", join(dir.path, "b")], { LIBSECP256K1_DEB: join(dir.path, "fake.deb") });
    assert.is(badDeb.status, 1);
    assert.match(badDeb.stderr, /the \.deb is not the pinned libsecp256k1-1 0\.2\.0-2/);
    assert.not.ok(existsSync(join(dir.path, "b/lib")));
    assert.is(run("scripts/fetch-libsecp256k1.sh", ["--bogus"]).status, 2);
  } finally {
    await dir.remove();
  }
});

withSystemLibrary("build-enclave.sh builds the image, the EIF, and writes PCR0/1/2 and the EIF's size to dist/enclave/pcrs.json", async () => {
  const dir = await tempDir("eif-");
  try {
    mkdirSync(join(dir.path, "bin"));
    writeFileSync(join(dir.path, "bin/signer"), "#!/bin/sh\n");
    chmodSync(join(dir.path, "bin/signer"), 0o755);
    // The library as fetch-libsecp256k1.sh would write it (no network in tests): the installed copy, same hash.
    mkdirSync(join(dir.path, "lib"));
    writeFileSync(join(dir.path, "lib/libsecp256k1.so.1"), readFileSync(SYSTEM_SECP256K1));
    const log = join(dir.path, "docker.log");
    const state = join(dir.path, "nitro");
    const result = run("scripts/build-enclave.sh", ["--dist", dir.path, "--tag", "t1", "--skip-compile"], {
      PATH: `${FAKES}:${process.env.PATH}`,
      FAKE_DOCKER_LOG: log,
      FAKE_NITRO_CLI_STATE: state,
      SOURCE_DATE_EPOCH: "1700000000",
    });
    assert.is(result.status, 0, result.stderr);
    const pcrs = JSON.parse(readFileSync(join(dir.path, "enclave/pcrs.json"), "utf8"));
    assert.equal(Object.keys(pcrs), ["PCR0", "PCR1", "PCR2", "EifSizeBytes"]);
    for (const name of ["PCR0", "PCR1", "PCR2"]) assert.match(pcrs[name], /^[0-9a-f]{96}$/);
    assert.is(pcrs.EifSizeBytes, statSync(join(dir.path, "enclave/signer.eif")).size, "the EIF's size beside the PCRs");
    assert.equal(JSON.parse(result.stdout), pcrs, "prints the PCRs");
    assert.ok(existsSync(join(dir.path, "enclave/signer.eif")));
    assert.is(readFileSync(log, "utf8").trim(), `build --platform linux/amd64 --file signer/Dockerfile --tag nitro-signer-enclave:t1 ${dir.path}`);
    const calls = readFileSync(join(state, "calls.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).args);
    assert.equal(calls, [["build-enclave", "--docker-uri", "nitro-signer-enclave:t1", "--output-file", join(dir.path, "enclave/signer.eif")]]);
    assert.is(statSync(join(dir.path, "bin/signer")).mtimeMs, 1700000000_000, "binary mtime pinned for a reproducible layer");
    assert.is(statSync(join(dir.path, "lib/libsecp256k1.so.1")).mtimeMs, 1700000000_000, "library mtime pinned too");
    assert.match(result.stderr, /is the pinned libsecp256k1-1 0\.2\.0-2/);
    // deploy/ reads the same file: the CDK app binds the key policy to this PCR0.
    assert.is(readPcr0File(join(dir.path, "enclave/pcrs.json")), pcrs.PCR0);
  } finally {
    await dir.remove();
  }
});

test("build-enclave.sh and write_pcrs.mjs fail with a one-line reason on bad input", async () => {
  const dir = await tempDir("eif-");
  try {
    const env = { PATH: `${FAKES}:${process.env.PATH}`, FAKE_NITRO_CLI_STATE: join(dir.path, "nitro") };
    const missing = run("scripts/build-enclave.sh", ["--dist", dir.path, "--skip-compile"], env);
    assert.is(missing.status, 1);
    assert.match(missing.stderr, /bin\/signer is missing/);
    const bad = run("scripts/build-enclave.sh", ["--bogus"], env);
    assert.is(bad.status, 2);
    assert.match(bad.stderr, /unknown argument --bogus/);
    const noPcrs = spawnSync("node", ["scripts/write_pcrs.mjs", join(dir.path, "p.json")], { cwd: ROOT, input: '{"Measurements":{"PCR0":"abc"}}', encoding: "utf8" });
    assert.is(noPcrs.status, 1);
    assert.match(noPcrs.stderr, /Measurements.PCR0 is missing or not 96 hex digits/);
    assert.not.ok(existsSync(join(dir.path, "p.json")));
    const pcrsOutput = JSON.stringify({ Measurements: { PCR0: "a".repeat(96), PCR1: "b".repeat(96), PCR2: "c".repeat(96) } });
    const noEif = spawnSync("node", ["scripts/write_pcrs.mjs", join(dir.path, "p.json"), "--eif", join(dir.path, "none.eif")], { cwd: ROOT, input: pcrsOutput, encoding: "utf8" });
    assert.is(noEif.status, 1);
    assert.match(noEif.stderr, /cannot read the EIF .*none\.eif/);
    const badArgs = spawnSync("node", ["scripts/write_pcrs.mjs", join(dir.path, "p.json"), "--eif"], { cwd: ROOT, input: pcrsOutput, encoding: "utf8" });
    assert.is(badArgs.status, 2);
    assert.not.ok(existsSync(join(dir.path, "p.json")));
  } finally {
    await dir.remove();
  }
});

test("compile.sh compiles signer, host-agent and rpc-proxy; the signer embeds its worker, leaves dev tools out, and is reproducible; the rpc-proxy has its V8 flags", async () => {
  const dir = await tempDir("compile-");
  try {
    const env = { DENORT_BIN: binaryPath("deno") }; // offline: the full Deno binary stands in for denort
    const all = run("scripts/compile.sh", ["--dist", join(dir.path, "a")], env);
    assert.is(all.status, 0, all.stderr);
    for (const name of ["signer", "host-agent", "rpc-proxy"]) {
      const stat = statSync(join(dir.path, "a/bin", name));
      assert.ok(stat.mode & 0o100, `${name} is executable`);
    }
    const signer = readFileSync(join(dir.path, "a/bin/signer"));
    assert.ok(signer.includes("signing_worker_deno.ts"), "the signing worker is embedded");
    // The rpc-proxy runs without V8's memory reducer (docs/performance.md, "Passthrough"); the others keep it.
    assert.ok(readFileSync(join(dir.path, "a/bin/rpc-proxy")).includes("--no-memory-reducer"), "the rpc-proxy's V8 flags are built in");
    assert.not.ok(signer.includes("--no-memory-reducer"), "the signer keeps V8's defaults");
    const base = statSync(binaryPath("deno")).size;
    assert.ok(signer.length - base < 100 * 1024 * 1024, `embedded payload ${(signer.length - base) >> 20} MiB: dev tools must stay out`);
    const again = run("scripts/compile.sh", ["--dist", join(dir.path, "b"), "signer"], env);
    assert.is(again.status, 0, again.stderr);
    assert.ok(signer.equals(readFileSync(join(dir.path, "b/bin/signer"))), "same sources, same signer binary (PCR0 depends on it)");
    const bad = run("scripts/compile.sh", ["nope"]);
    assert.is(bad.status, 2);
    assert.match(bad.stderr, /unknown argument nope/);
  } finally {
    await dir.remove();
  }
});

test.run();
