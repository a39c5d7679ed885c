#!/usr/bin/env node
// A fake `nitro-cli` (aws-nitro-enclaves-cli) for tests: same subcommands, flags, exit codes and output shapes
// (progress on stderr, one pretty-printed JSON value on stdout, failures as "[ Exx ] …" on stderr with exit 1).
// An "enclave" is a detached process in its own process group: by default an idle Node process, or whatever
// FAKE_NITRO_CLI_ENCLAVE_COMMAND says (a JSON argv; "{cid}", "{name}", "{eif}" are substituted), e.g. the real
// Deno signer on a Unix socket or TCP port, since vsock has no loopback here. Killing its ProcessID is a crash.
//
// Environment:
//   FAKE_NITRO_CLI_STATE          state directory (required): enclaves/, calls.jsonl, enclave-<id>.log
//   FAKE_NITRO_CLI_ENCLAVE_COMMAND JSON argv of the enclave process
//   FAKE_NITRO_CLI_FAIL_RUNS      the first N run-enclave calls fail with E36 (enclave boot failure)
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [command, ...rest] = process.argv.slice(2);
const stateDir = process.env.FAKE_NITRO_CLI_STATE;
if (!stateDir) fail("E00", "FAKE_NITRO_CLI_STATE is not set (fake nitro-cli)");
const enclavesDir = join(stateDir, "enclaves");
mkdirSync(enclavesDir, { recursive: true });
appendFileSync(join(stateDir, "calls.jsonl"), JSON.stringify({ time: new Date().toISOString(), args: process.argv.slice(2) }) + "\n");

function fail(code, message) {
  process.stderr.write(`[ ${code} ] ${message}\n\nFor more details, please visit https://docs.aws.amazon.com/enclaves/latest/user/cli-errors.html#${code}\n`);
  process.exit(1);
}

function flags(args, booleans = []) {
  const out = {};
  for (let i = 0; i < args.length; i++) {
    const name = args[i];
    if (!name.startsWith("--")) fail("E03", `Invalid argument provided: ${name}`);
    const key = name.slice(2);
    if (booleans.includes(key)) out[key] = true;
    else if (args[i + 1] === undefined) fail("E01", `Missing mandatory argument. User did not provide the \`${key}\` argument.`);
    else out[key] = args[++i];
  }
  return out;
}

function integer(value, name) {
  if (!/^\d+$/.test(value ?? "")) fail("E03", `Invalid argument provided. The parameter \`${name}\` is not a valid integer (\`${value}\`)`);
  return Number(value);
}

/** Alive and not a zombie (this sandbox's PID 1 may not reap orphans). */
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return true;
  }
}

function enclaves() {
  const list = [];
  for (const file of readdirSync(enclavesDir).filter((f) => f.endsWith(".json")).sort()) {
    const path = join(enclavesDir, file);
    const record = JSON.parse(readFileSync(path, "utf8"));
    if (alive(record.ProcessID)) list.push(record);
    else rmSync(path, { force: true }); // the enclave process is gone: so is the enclave
  }
  return list;
}

function print(value) {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

async function terminate(record) {
  try { process.kill(-record.ProcessID, "SIGTERM"); } catch { /* gone */ }
  for (let i = 0; i < 100 && alive(record.ProcessID); i++) await new Promise((r) => setTimeout(r, 30));
  if (alive(record.ProcessID)) try { process.kill(-record.ProcessID, "SIGKILL"); } catch { /* gone */ }
  rmSync(join(enclavesDir, `${record.EnclaveID}.json`), { force: true });
  process.stderr.write(`Successfully terminated enclave ${record.EnclaveID}.\n`);
}

switch (command) {
  case "run-enclave": {
    const f = flags(rest, ["debug-mode", "attach-console"]);
    if (!f["eif-path"]) fail("E01", "Missing mandatory argument. User did not provide the `eif-path` argument.");
    const cpuCount = integer(f["cpu-count"], "cpu-count");
    const memory = integer(f.memory, "memory");
    const cid = f["enclave-cid"] === undefined ? 16 : integer(f["enclave-cid"], "enclave-cid");
    if (!existsSync(f["eif-path"])) fail("E19", `File operation failure. Failed to open file ${f["eif-path"]}`);
    const counter = join(stateDir, "runs.json");
    const runs = existsSync(counter) ? JSON.parse(readFileSync(counter, "utf8")).runs : 0;
    writeFileSync(counter, JSON.stringify({ runs: runs + 1 }));
    if (runs < Number(process.env.FAKE_NITRO_CLI_FAIL_RUNS ?? 0)) {
      fail("E36", "Enclave boot failure. Such error appears when attempting to receive the `ready` signal from a freshly booted enclave.");
    }
    const existing = enclaves();
    if (existing.some((e) => e.EnclaveCID === cid)) fail("E11", `Socket error. The enclave CID ${cid} is already in use.`);
    if (existing.length > 0) fail("E27", "Insufficient memory available. The configured hugepage memory is in use by another enclave.");
    const name = f["enclave-name"] ?? "enclave";
    const id = `i-0fa4e00000000000-enc${randomBytes(8).toString("hex")}`;
    const argv = JSON.parse(process.env.FAKE_NITRO_CLI_ENCLAVE_COMMAND ?? JSON.stringify([process.execPath, "-e", "setInterval(() => {}, 1 << 30)"]))
      .map((a) => String(a).replaceAll("{cid}", String(cid)).replaceAll("{name}", name).replaceAll("{eif}", f["eif-path"]));
    const log = openSync(join(stateDir, `enclave-${id}.log`), "a");
    process.stderr.write("Start allocating memory...\n");
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ["ignore", log, log] });
    child.unref();
    const info = {
      EnclaveName: name,
      EnclaveID: id,
      ProcessID: child.pid,
      EnclaveCID: cid,
      NumberOfCPUs: cpuCount,
      CPUIDs: Array.from({ length: cpuCount }, (_, i) => 1 + 2 * i),
      MemoryMiB: memory,
    };
    writeFileSync(join(enclavesDir, `${id}.json`), JSON.stringify({ ...info, State: "RUNNING", Flags: f["debug-mode"] ? "DEBUG_MODE" : "NONE", EifPath: f["eif-path"] }));
    process.stderr.write(`Started enclave with enclave-cid: ${cid}, memory: ${memory} MiB, cpu-ids: [${info.CPUIDs.join(", ")}]\n`);
    print(info);
    break;
  }
  case "describe-enclaves": {
    print(enclaves().map(({ EifPath: _eif, ...e }) => e));
    break;
  }
  case "terminate-enclave": {
    const f = flags(rest, ["all"]);
    const list = enclaves();
    const targets = f.all ? list : list.filter((e) => e.EnclaveID === f["enclave-id"] || e.EnclaveName === f["enclave-name"]);
    if (!f.all && targets.length === 0) fail("E39", `Enclave process connection failure. No enclave ${f["enclave-id"] ?? f["enclave-name"]}.`);
    for (const record of targets) {
      await terminate(record);
      if (!f.all) print({ EnclaveName: record.EnclaveName, EnclaveID: record.EnclaveID, Terminated: true });
    }
    break;
  }
  case "build-enclave": {
    const f = flags(rest);
    if (!f["docker-uri"]) fail("E01", "Missing mandatory argument. User did not provide the `docker-uri` argument.");
    if (!f["output-file"]) fail("E01", "Missing mandatory argument. User did not provide the `output-file` argument.");
    process.stderr.write("Start building the Enclave Image...\n");
    const pcr = (n) => createHash("sha384").update(`fake PCR${n} of ${f["docker-uri"]}`).digest("hex");
    const measurements = { HashAlgorithm: "Sha384 { ... }", PCR0: pcr(0), PCR1: pcr(1), PCR2: pcr(2) };
    writeFileSync(f["output-file"], JSON.stringify({ fakeEif: true, dockerUri: f["docker-uri"], Measurements: measurements }));
    process.stderr.write("Enclave Image successfully created.\n");
    print({ Measurements: measurements });
    break;
  }
  case "describe-eif": {
    const f = flags(rest);
    if (!f["eif-path"] || !existsSync(f["eif-path"])) fail("E19", `File operation failure. Failed to open file ${f["eif-path"]}`);
    const eif = JSON.parse(readFileSync(f["eif-path"], "utf8"));
    print({ EifVersion: 4, Measurements: eif.Measurements, IsSigned: false, CheckCRC: true });
    break;
  }
  case "--version":
    process.stdout.write("Nitro CLI 1.4.2 (fake)\n");
    break;
  default:
    fail("E03", `Invalid argument provided: unknown subcommand ${command ?? "(none)"}`);
}
