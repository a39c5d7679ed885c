import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createNitroCli } from "../../../host-agent/enclave/create_nitro_cli.ts";
import type { CommandRunner } from "../../../host-agent/enclave/nitro_cli.ts";
import { NitroCliError } from "../../../host-agent/enclave/nitro_cli_error.ts";
import { parseDescribeEnclaves } from "../../../host-agent/enclave/parse_describe_enclaves.ts";
import { runCommand } from "../../../host-agent/daemon/run_command_node.ts";
import { tempDir } from "../../helpers/temp_dir.ts";
import { FAKE_NITRO_CLI, nitroCliCalls, waitFor } from "../helpers/fake_enclave.ts";

// Output captured from nitro-cli 1.4 (aws-nitro-enclaves-cli json_output.rs field names and order).
const DESCRIBE = `[
  {
    "EnclaveName": "nitro-signer",
    "EnclaveID": "i-05f6ed443aexample-enc173dfe3eexample",
    "ProcessID": 7077,
    "EnclaveCID": 16,
    "NumberOfCPUs": 2,
    "CPUIDs": [1, 3],
    "MemoryMiB": 1024,
    "State": "RUNNING",
    "Flags": "NONE",
    "Measurements": { "HashAlgorithm": "Sha384 { ... }", "PCR0": "aa", "PCR1": "bb", "PCR2": "cc" }
  }
]`;

const recorder = (reply: Partial<Awaited<ReturnType<CommandRunner>>>) => {
  const calls: { command: string; args: readonly string[] }[] = [];
  const run: CommandRunner = async (command, args) => {
    calls.push({ command, args });
    return { code: 0, stdout: "", stderr: "", ...reply };
  };
  return { calls, run };
};

test("runEnclave passes EIF path, CPU count, memory, CID, name and debug mode as nitro-cli flags", async () => {
  const { calls, run } = recorder({
    stdout: '{\n  "EnclaveName": "nitro-signer",\n  "EnclaveID": "i-1-enc2",\n  "ProcessID": 42,\n  "EnclaveCID": 16,\n  "NumberOfCPUs": 2,\n  "CPUIDs": [1, 3],\n  "MemoryMiB": 1024\n}\n',
  });
  const cli = createNitroCli(run, { command: "/usr/bin/nitro-cli" });
  const info = await cli.runEnclave({ eifPath: "/opt/nitro-signer/signer.eif", cpuCount: 2, memoryMib: 1024, cid: 16, name: "nitro-signer", debugMode: true });
  assert.is(info.EnclaveID, "i-1-enc2");
  assert.is(info.EnclaveCID, 16);
  assert.equal(calls, [{
    command: "/usr/bin/nitro-cli",
    args: ["run-enclave", "--eif-path", "/opt/nitro-signer/signer.eif", "--cpu-count", "2", "--memory", "1024", "--enclave-cid", "16", "--enclave-name", "nitro-signer", "--debug-mode"],
  }]);
});

test("runEnclave refuses a reserved CID, a zero CPU count and a bad name before running anything", async () => {
  const { calls, run } = recorder({});
  const cli = createNitroCli(run);
  const base = { eifPath: "/x.eif", cpuCount: 2, memoryMib: 1024, cid: 16, name: "n" };
  for (const bad of [{ cid: 3 }, { cpuCount: 0 }, { memoryMib: 1.5 }, { name: "a b" }, { eifPath: "" }]) {
    await cli.runEnclave({ ...base, ...bad }).then(() => assert.unreachable(JSON.stringify(bad)), (e) => assert.instance(e, Error));
  }
  assert.is(calls.length, 0);
});

test("parseDescribeEnclaves reads nitro-cli's array, including Measurements, and an empty list", () => {
  const [e] = parseDescribeEnclaves(DESCRIBE);
  assert.is(e!.EnclaveID, "i-05f6ed443aexample-enc173dfe3eexample");
  assert.is(e!.State, "RUNNING");
  assert.is(e!.Flags, "NONE");
  assert.is(e!.Measurements!.PCR0, "aa");
  assert.equal(parseDescribeEnclaves("[]\n"), []);
  assert.throws(() => parseDescribeEnclaves('{"EnclaveID":"x"}'), /array/);
  assert.throws(() => parseDescribeEnclaves('[{"EnclaveCID":16,"State":"RUNNING"}]'), /EnclaveID/);
  assert.throws(() => parseDescribeEnclaves("Error: nothing"), /no JSON/);
});

test("a failing nitro-cli becomes a NitroCliError with its [ Exx ] code and first line, not its backtrace", async () => {
  const { run } = recorder({
    code: 1,
    stderr: "[ E27 ] Insufficient memory available. The configured hugepage memory is smaller.\n\nBacktrace:\n  at ioctl\n",
  });
  try {
    await createNitroCli(run).describeEnclaves();
    assert.unreachable();
  } catch (error) {
    assert.instance(error, NitroCliError);
    assert.is((error as NitroCliError).nitroCode, "E27");
    assert.match((error as Error).message, /describe-enclaves failed: \[ E27 \] Insufficient memory available/);
    assert.not.match((error as Error).message, /Backtrace/);
  }
  const missing = createNitroCli(runCommand, { command: "/nonexistent/nitro-cli" });
  await missing.describeEnclaves().then(() => assert.unreachable(), (e) => assert.match((e as Error).message, /Cannot run \/nonexistent\/nitro-cli describe-enclaves/));
});

test("against the fake nitro-cli executable: run, describe, crash (the enclave process dies), terminate", async () => {
  const dir = await tempDir("nitro-cli-");
  process.env.FAKE_NITRO_CLI_STATE = dir.path;
  const eif = join(dir.path, "signer.eif");
  await writeFile(eif, "eif");
  const cli = createNitroCli(runCommand, { command: FAKE_NITRO_CLI });
  try {
    const run = await cli.runEnclave({ eifPath: eif, cpuCount: 2, memoryMib: 512, cid: 21, name: "nitro-signer" });
    assert.is(run.EnclaveCID, 21);
    assert.is(run.NumberOfCPUs, 2);
    const [described] = await cli.describeEnclaves();
    assert.is(described!.EnclaveID, run.EnclaveID);
    assert.is(described!.State, "RUNNING");
    // A second enclave on the same CID is refused, as on an instance.
    await cli.runEnclave({ eifPath: eif, cpuCount: 2, memoryMib: 512, cid: 21, name: "other" })
      .then(() => assert.unreachable(), (e) => assert.is((e as NitroCliError).nitroCode, "E11"));
    process.kill(run.ProcessID, "SIGKILL");
    await waitFor(async () => (await cli.describeEnclaves()).length === 0, "the crashed enclave to disappear");
    const again = await cli.runEnclave({ eifPath: eif, cpuCount: 2, memoryMib: 512, cid: 21, name: "nitro-signer" });
    await cli.terminateEnclave(again.EnclaveID);
    assert.equal(await cli.describeEnclaves(), []);
    await cli.terminateEnclave(again.EnclaveID).then(() => assert.unreachable(), (e) => assert.is((e as NitroCliError).nitroCode, "E39"));
    const calls = await nitroCliCalls(dir.path);
    assert.equal(calls[0], ["run-enclave", "--eif-path", eif, "--cpu-count", "2", "--memory", "512", "--enclave-cid", "21", "--enclave-name", "nitro-signer"]);
  } finally {
    await runCommand(FAKE_NITRO_CLI, ["terminate-enclave", "--all"]);
    await dir.remove();
  }
});

test.run();
