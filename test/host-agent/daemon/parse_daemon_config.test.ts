import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseDaemonConfig } from "../../../host-agent/daemon/parse_daemon_config.ts";

// The environment deploy/ writes to /etc/nitro-signer/env (deploy/lib/signer_stack.ts).
const INSTANCE_ENV = {
  AWS_REGION: "eu-central-1",
  KMS_KEY_ID: "arn:aws:kms:eu-central-1:111122223333:key/abc",
  SECRET_PREFIX: "nitro-signer/keys/",
  SIGNER_CID: "16",
  SIGNER_PORT: "5000",
  PROXY_PORT: "8545",
  UPSTREAM_URL: "https://rpc.example",
  VSOCK_PROXY_PORT: "8000",
  ENCLAVE_EIF_PATH: "/opt/nitro-signer/signer.eif",
  ENCLAVE_CPU_COUNT: "2",
  ENCLAVE_MEMORY_MIB: "1024",
  ENCLAVE_PCR0: "0".repeat(96),
  ENCLAVE_DEBUG_MODE: "false",
};

test("the instance's EnvironmentFile alone configures the daemon: vsock to CID 16 port 5000, the EIF, CPUs, memory", () => {
  const config = parseDaemonConfig([], INSTANCE_ENV);
  assert.equal(config.signer, { transport: "vsock", cid: 16, port: 5000 });
  assert.equal(config.enclave, { eifPath: "/opt/nitro-signer/signer.eif", cpuCount: 2, memoryMib: 1024, cid: 16, name: "nitro-signer", debugMode: false });
  assert.is(config.region, "eu-central-1");
  assert.is(config.secretPrefix, "nitro-signer/keys/");
  assert.is(config.imdsEndpoint, "http://169.254.169.254");
  assert.is(config.secretsEndpoint, undefined);
  assert.is(config.statusFile, "/run/nitro-signer/status.json");
  assert.is(config.nitroCli, "nitro-cli");
});

test("defaults without any environment: region from IMDS later, CID 16, port 5000", () => {
  const config = parseDaemonConfig([], {});
  assert.is(config.region, undefined);
  assert.equal(config.signer, { transport: "vsock", cid: 16, port: 5000 });
  assert.equal(config.timings, { watchIntervalMs: 5000, bootTimeoutMs: 120000, keySyncIntervalMs: 300000, restartBackoff: { initialMs: 1000, maxMs: 60000 } });
});

test("the signer's log stream: received on vsock port 5001 into SIGNER_LOG_FILE by default; --enclave-logs none turns it off", () => {
  const defaults = parseDaemonConfig([], { SIGNER_LOG_FILE: "/var/log/nitro-signer/signer.log" });
  assert.equal(defaults.enclaveLogs, { transport: "vsock", cid: -1, port: 5001 });
  assert.is(defaults.enclaveLogFile, "/var/log/nitro-signer/signer.log");
  const local = parseDaemonConfig(["--enclave-logs", "unix:///tmp/logs.sock", "--enclave-log-file", "/tmp/signer.log"], {});
  assert.equal([local.enclaveLogs, local.enclaveLogFile], [{ transport: "unix", path: "/tmp/logs.sock" }, "/tmp/signer.log"]);
  assert.is(parseDaemonConfig([], { ENCLAVE_LOG_LISTEN: "none" }).enclaveLogs, undefined);
  assert.throws(() => parseDaemonConfig(["--enclave-logs", "udp://x:1"], {}), /Invalid --enclave-logs udp:\/\/x:1/);
});

test("flags win over the environment; --signer reaches the signer elsewhere (tests: unix or tcp)", () => {
  const config = parseDaemonConfig(
    ["--cid", "20", "--port", "6000", "--cpu-count=4", "--debug-mode", "--signer", "unix:///tmp/s.sock", "--imds-endpoint", "http://127.0.0.1:1338/", "--restart-backoff-ms", "10"],
    INSTANCE_ENV,
  );
  assert.is(config.enclave.cid, 20);
  assert.is(config.enclave.cpuCount, 4);
  assert.is(config.enclave.debugMode, true);
  assert.equal(config.signer, { transport: "unix", path: "/tmp/s.sock" });
  assert.is(config.imdsEndpoint, "http://127.0.0.1:1338");
  assert.equal(config.timings.restartBackoff, { initialMs: 10, maxMs: 60000 });
  assert.equal(parseDaemonConfig(["--cid", "20"], {}).signer, { transport: "vsock", cid: 20, port: 5000 });
});

test("bad input is refused with a one-line reason", () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--cid", "3"], {}, /--cid 3: expected an integer in 4\.\./],
    [[], { SIGNER_CID: "x" }, /--cid x/],
    [["--memory-mib", "12"], {}, /--memory-mib 12/],
    [["--debug-mode=maybe"], {}, /--debug-mode maybe: expected true or false/],
    [[], { ENCLAVE_DEBUG_MODE: "perhaps" }, /--debug-mode perhaps/],
    [["--region", "mars"], {}, /--region mars/],
    [["--imds-endpoint", "ftp://x"], {}, /expected http/],
    [["--secrets-endpoint", "not a url"], {}, /not a URL/],
    [["--signer", "udp://x"], {}, /signer address/],
    [["--bogus", "1"], {}, /Unknown option --bogus/],
    [["--eif"], {}, /Missing value for --eif/],
    [["daemon"], {}, /Unexpected argument daemon/],
    [["--name", "a b"], {}, /--name a b/],
    [["--restart-backoff-ms", "5000", "--restart-backoff-max-ms", "100"], {}, /below --restart-backoff-ms/],
  ];
  for (const [args, env, reason] of cases) {
    try {
      parseDaemonConfig(args, env);
      assert.unreachable(args.join(" "));
    } catch (error) {
      assert.instance(error, Error);
      assert.match((error as Error).message, reason);
      assert.not.match((error as Error).message, /\n/);
    }
  }
});

test("ENCLAVE_DEBUG_MODE=true from deploy's debug deployments turns on --debug-mode", () => {
  assert.is(parseDaemonConfig([], { ...INSTANCE_ENV, ENCLAVE_DEBUG_MODE: "true" }).enclave.debugMode, true);
});

test.run();
