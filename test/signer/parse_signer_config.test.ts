import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseSignerConfig } from "../../signer/parse_signer_config.ts";
import { readFlags } from "../../common/read_flags.ts";

const PCR0 = "ab".repeat(48);
const PCR8 = "CD".repeat(48);

test("defaults: enclave mode on vsock with the device NSM, KMS through the parent's vsock-proxy", () => {
  assert.equal(parseSignerConfig([], {}), {
    listen: { transport: "vsock", cid: -1, port: 5000 },
    mode: "enclave",
    nsm: "device",
    pcrs: {},
    kmsProxy: { transport: "vsock", cid: 3, port: 8000 },
    curve: "native",
    windows: "fleet",
    logBufferBytes: 262144,
  });
});

test("--windows memory|fleet (or SIGNER_WINDOWS): fleet by default in enclave mode, memory in dev mode, anything else refused", () => {
  assert.is(parseSignerConfig(["--mode", "dev"], {}).windows, "memory");
  assert.is(parseSignerConfig(["--mode", "dev", "--windows", "fleet"], {}).windows, "fleet");
  assert.is(parseSignerConfig(["--mode", "dev"], { SIGNER_WINDOWS: "fleet" }).windows, "fleet");
  assert.is(parseSignerConfig(["--windows", "memory"], { SIGNER_WINDOWS: "fleet" }).windows, "memory", "the flag wins");
  assert.throws(() => parseSignerConfig(["--windows", "dynamo"], {}), /Invalid --windows dynamo: expected memory or fleet/);
});

test("--log-to streams the log lines to an address (flag or SIGNER_LOG_TO); --log-buffer-bytes bounds what waits for it", () => {
  assert.equal(parseSignerConfig(["--log-to", "vsock://3:5001"], {}).logTo, { transport: "vsock", cid: 3, port: 5001 });
  const local = parseSignerConfig([], { SIGNER_LOG_TO: "unix:///tmp/logs.sock", SIGNER_LOG_BUFFER_BYTES: "4096" });
  assert.equal([local.logTo, local.logBufferBytes], [{ transport: "unix", path: "/tmp/logs.sock" }, 4096]);
  assert.throws(() => parseSignerConfig(["--log-to", "http://x"], {}), /Cannot parse signer address/);
  for (const bad of ["12", "1e6", "-1", "999999999"]) {
    assert.throws(() => parseSignerConfig(["--log-buffer-bytes", bad], {}), /Invalid --log-buffer-bytes/);
  }
});

test("dev mode: the simulated NSM, repeatable --pcr in both spellings, flags over the environment", () => {
  const config = parseSignerConfig(
    ["--mode", "dev", "--listen", "unix:///tmp/s.sock", `--pcr=0=${PCR0}`, "--pcr", `8=${PCR8}`, "--workers", "0"],
    { SIGNER_LISTEN: "tcp://127.0.0.1:1", AWS_REGION: "eu-west-1", SIGNER_WORKERS: "3" },
  );
  assert.equal([config.mode, config.nsm, config.listen, config.region, config.workers], ["dev", "simulated", { transport: "unix", path: "/tmp/s.sock" }, "eu-west-1", 0]);
  assert.equal(config.pcrs, { 0: PCR0, 8: PCR8.toLowerCase() });
});

test("enclave mode refuses what only development may use", () => {
  assert.throws(() => parseSignerConfig(["--nsm", "simulated"], {}), /Refusing the simulated NSM in enclave mode/);
  assert.throws(() => parseSignerConfig(["--kms-ca", "ca.pem"], {}), /--kms-ca is only allowed with --mode dev/);
  assert.throws(() => parseSignerConfig([`--pcr=0=${PCR0}`], { SIGNER_MODE: "enclave" }), /--pcr is only allowed with --mode dev/);
});

test("bad input is a one-line TypeError naming the option", () => {
  assert.throws(() => parseSignerConfig(["--mode", "prod"], {}), /Invalid --mode prod/);
  assert.throws(() => parseSignerConfig(["--mode", "dev", "--pcr", "0=abc"], {}), /Invalid --pcr 0=abc/);
  assert.throws(() => parseSignerConfig(["--workers", "65"], {}), /Invalid --workers 65: expected 0..64/);
  assert.throws(() => parseSignerConfig(["--port", "1"], {}), /Unknown option --port/);
  assert.throws(() => parseSignerConfig(["--listen"], {}), /Missing value for --listen/);
  assert.throws(() => parseSignerConfig(["--listen", "--mode", "dev"], {}), /Missing value for --listen/);
  assert.throws(() => parseSignerConfig(["dev"], {}), /Unexpected argument dev/);
});

test("readFlags: the last value of a flag wins, every value of a repeatable one is kept, booleans stand alone", () => {
  const flags = readFlags(["--port", "1", "--tag", "a", "--debug", "--port=2", "--tag=b", "--quiet=false"], {
    values: ["port", "tag"],
    repeatable: ["tag"],
    booleans: ["debug", "quiet"],
  });
  assert.equal([flags.get("port"), flags.all("port"), flags.all("tag"), flags.get("debug"), flags.get("quiet")], ["2", ["2"], ["a", "b"], "true", "false"]);
  assert.equal([flags.has("tag"), flags.has("other"), flags.get("other")], [true, false, undefined]);
});

test.run();
