import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PROJECT_ROOT, SYSTEMD_UNITS } from "../../deploy/lib/constants.ts";

const DIR = join(PROJECT_ROOT, "host-agent", "systemd");
type Unit = Record<string, Record<string, string[]>>;

/** A small systemd unit reader: sections, keys, and every value of a repeated key; comments dropped. */
function readUnit(name: string): Unit {
  const unit: Unit = {};
  let section = "";
  for (const raw of readFileSync(join(DIR, name), "utf8").split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header?.[1]) {
      section = header[1];
      unit[section] = {};
      continue;
    }
    const eq = line.indexOf("=");
    assert.ok(eq > 0 && section !== "", `${name}: unexpected line ${line}`);
    const values = (unit[section]![line.slice(0, eq)] ??= []);
    values.push(line.slice(eq + 1));
  }
  return unit;
}
const one = (unit: Unit, section: string, key: string): string | undefined => unit[section]?.[key]?.at(-1);
const units = Object.fromEntries(SYSTEMD_UNITS.map((name) => [name, readUnit(name)]));

test("host-agent/systemd holds exactly the four units the bootstrap installs", () => {
  assert.equal(readdirSync(DIR).filter((f) => f.endsWith(".service")).sort(), [...SYSTEMD_UNITS].sort());
});

test("every unit reads /etc/nitro-signer/env, restarts, is hardened and starts at boot", () => {
  for (const [name, unit] of Object.entries(units)) {
    assert.is(one(unit, "Service", "EnvironmentFile"), "/etc/nitro-signer/env", name);
    assert.ok(["always", "on-failure"].includes(one(unit, "Service", "Restart") ?? ""), name);
    assert.ok(Number(one(unit, "Service", "RestartSec")) >= 2, `${name} RestartSec`);
    assert.is(one(unit, "Service", "NoNewPrivileges"), "yes", name);
    assert.is(one(unit, "Service", "ProtectSystem"), "strict", name);
    assert.is(one(unit, "Service", "ProtectHome"), "yes", name);
    assert.is(one(unit, "Service", "PrivateTmp"), "yes", name);
    assert.is(one(unit, "Install", "WantedBy"), "multi-user.target", name);
  }
  for (const name of ["nitro-signer-vsock-proxy.service", "nitro-signer-host-agent.service", "nitro-signer-rpc-proxy.service"]) {
    assert.is(one(units[name]!, "Service", "Restart"), "always", name);
    assert.is(one(units[name]!, "Service", "CapabilityBoundingSet"), "", `${name} drops every capability`);
  }
});

test("the allocator unit runs before the stock allocator and may only retry on failure (oneshot)", () => {
  const unit = units["nitro-signer-allocator.service"]!;
  assert.is(one(unit, "Unit", "Before"), "nitro-enclaves-allocator.service");
  assert.is(one(unit, "Unit", "Wants"), "nitro-enclaves-allocator.service");
  assert.is(one(unit, "Service", "Type"), "oneshot");
  assert.is(one(unit, "Service", "Restart"), "on-failure");
});

test("the allocator unit writes allocator.yaml with memory_mib and cpu_count from the env file", () => {
  const execStart = one(units["nitro-signer-allocator.service"]!, "Service", "ExecStart") ?? "";
  const out = mkdtempSync(join(tmpdir(), "nitro-signer-allocator-"));
  // Undo the systemd escapes ($$ → $, %% → %), point the output at a temp dir, run it with sh.
  const command = /^\/bin\/sh -euc '(.*)'$/.exec(execStart)?.[1];
  assert.ok(command, execStart);
  const script = command.replaceAll("$$", "$").replaceAll("%%", "%").replace("/etc/nitro_enclaves", out);
  execFileSync("/bin/sh", ["-euc", script], { env: { ENCLAVE_MEMORY_MIB: "1024", ENCLAVE_CPU_COUNT: "2", PATH: process.env.PATH ?? "" } });
  assert.is(readFileSync(join(out, "allocator.yaml"), "utf8"), "---\nmemory_mib: 1024\ncpu_count: 2\n");
  assert.throws(() => execFileSync("/bin/sh", ["-euc", script], { env: { PATH: process.env.PATH ?? "" }, stdio: "ignore" }));
});

test("the vsock-proxy unit forwards vsock 8000 to the region's KMS only", () => {
  const unit = units["nitro-signer-vsock-proxy.service"]!;
  assert.is(
    one(unit, "Service", "ExecStart"),
    "/usr/bin/vsock-proxy 8000 kms.${AWS_REGION}.amazonaws.com 443 --config /etc/nitro_enclaves/vsock-proxy.yaml",
  );
  assert.is(one(unit, "Service", "DynamicUser"), "yes");
});

test("the host-agent unit runs the daemon after the allocator and vsock-proxy, as nitro-signer in group ne", () => {
  const unit = units["nitro-signer-host-agent.service"]!;
  assert.is(one(unit, "Service", "ExecStart"), "/opt/nitro-signer/bin/host-agent daemon");
  const after = one(unit, "Unit", "After") ?? "";
  for (const dep of ["nitro-signer-allocator.service", "nitro-enclaves-allocator.service", "nitro-signer-vsock-proxy.service"]) {
    assert.match(after, dep);
  }
  assert.is(one(unit, "Service", "User"), "nitro-signer");
  assert.is(one(unit, "Service", "SupplementaryGroups"), "ne");
  assert.is(one(unit, "Service", "ReadWritePaths"), "/run/nitro_enclaves /var/log/nitro_enclaves");
  assert.is(one(unit, "Service", "PrivateDevices"), undefined, "nitro-cli needs /dev/nitro_enclaves");
  assert.is(one(unit, "Service", "StandardOutput"), "append:/var/log/nitro-signer/host-agent.log");
});

test("the rpc-proxy unit runs the proxy binary and logs where the CloudWatch agent reads", () => {
  const unit = units["nitro-signer-rpc-proxy.service"]!;
  assert.is(one(unit, "Service", "ExecStart"), "/opt/nitro-signer/bin/rpc-proxy");
  assert.is(one(unit, "Service", "User"), "nitro-signer");
  assert.is(one(unit, "Service", "StandardOutput"), "append:/var/log/nitro-signer/rpc-proxy.log");
});

test("the rpc-proxy unit reads its API keys from their secret before every start, into a directory only it can read", () => {
  const unit = units["nitro-signer-rpc-proxy.service"]!;
  assert.is(one(unit, "Service", "ExecStartPre"), "/opt/nitro-signer/bin/host-agent api-keys fetch");
  assert.is(one(unit, "Service", "RuntimeDirectory"), "nitro-signer-rpc-proxy");
  assert.is(one(unit, "Service", "RuntimeDirectoryMode"), "0700");
});

test.run();
