import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { NitroCli, RunEnclaveParameters } from "../../../host-agent/enclave/nitro_cli.ts";
import { NitroCliError } from "../../../host-agent/enclave/nitro_cli_error.ts";
import { waitFor } from "../helpers/fake_enclave.ts";

/** One implementation of the enclave-runner boundary under test, and how to clean up after it. */
export type EnclaveRunnerUnderTest = { nitroCli: NitroCli; close(): Promise<void> };

const ENCLAVE: RunEnclaveParameters = { eifPath: "/opt/nitro-signer/signer.eif", cpuCount: 2, memoryMib: 512, cid: 16, name: "nitro-signer" };

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  assert.unreachable("expected a rejection");
  throw new Error("unreachable");
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The contract every enclave runner the host-agent daemon drives (`NitroCli`) keeps, as `superviseEnclave` relies
 * on it: `nitro-cli` through `createNitroCli` (the fake nitro-cli here, the real one on an instance) and the local
 * stack's `createLocalNitroCli` (the Deno signer as a process). `create` gives a fresh runner with no enclave.
 * Registers and runs one uvu suite.
 */
export function enclaveRunnerContract(name: string, create: () => Promise<EnclaveRunnerUnderTest>): void {
  const test = suite(name);
  let runner: EnclaveRunnerUnderTest;
  test.before.each(async () => {
    runner = await create();
  });
  test.after.each(async () => {
    for (const e of await runner.nitroCli.describeEnclaves().catch(() => [])) await runner.nitroCli.terminateEnclave(e.EnclaveID).catch(() => {});
    await runner.close();
  });

  test(`${name}: runEnclave starts one enclave that describeEnclaves lists as RUNNING, and terminateEnclave stops it`, async () => {
    const { nitroCli } = runner;
    assert.equal(await nitroCli.describeEnclaves(), []);
    const info = await nitroCli.runEnclave(ENCLAVE);
    assert.is(info.EnclaveName, "nitro-signer");
    assert.is(info.EnclaveCID, 16);
    assert.is(info.NumberOfCPUs, 2);
    assert.is(info.MemoryMiB, 512);
    assert.ok(info.ProcessID > 0);
    const [described, ...more] = await nitroCli.describeEnclaves();
    assert.equal(more, []);
    assert.is(described!.EnclaveID, info.EnclaveID);
    assert.is(described!.State, "RUNNING");
    assert.is(described!.Flags, "NONE");
    await nitroCli.terminateEnclave(info.EnclaveID);
    assert.equal(await nitroCli.describeEnclaves(), []);
    await waitFor(() => !processAlive(info.ProcessID), "the enclave process to be gone", 10_000);
  });

  test(`${name}: one enclave at a time — a second runEnclave on the same CID fails with NITRO_CLI_FAILED E11`, async () => {
    const { nitroCli } = runner;
    const first = await nitroCli.runEnclave(ENCLAVE);
    const error = await failure(nitroCli.runEnclave(ENCLAVE));
    assert.instance(error, NitroCliError);
    assert.is((error as NitroCliError).code, "NITRO_CLI_FAILED");
    assert.is((error as NitroCliError).nitroCode, "E11");
    assert.equal((await nitroCli.describeEnclaves()).map((e) => e.EnclaveID), [first.EnclaveID]);
  });

  test(`${name}: a killed enclave process (kill -9) is no longer described, and a new one can be run`, async () => {
    const { nitroCli } = runner;
    const first = await nitroCli.runEnclave(ENCLAVE);
    process.kill(first.ProcessID, "SIGKILL");
    await waitFor(async () => (await nitroCli.describeEnclaves()).length === 0, "the killed enclave to disappear", 10_000);
    const second = await nitroCli.runEnclave(ENCLAVE);
    assert.is.not(second.EnclaveID, first.EnclaveID);
    assert.equal((await nitroCli.describeEnclaves()).map((e) => e.EnclaveID), [second.EnclaveID]);
  });

  test(`${name}: terminating an enclave that does not exist fails with NITRO_CLI_FAILED E39; a malformed id with TypeError`, async () => {
    const error = await failure(runner.nitroCli.terminateEnclave("i-0000000000000000-enc0000000000000000"));
    assert.instance(error, NitroCliError);
    assert.is((error as NitroCliError).nitroCode, "E39");
    assert.instance(await failure(runner.nitroCli.terminateEnclave("../etc")), TypeError);
  });

  test(`${name}: bad run parameters are refused (RangeError / TypeError) before anything runs`, async () => {
    const { nitroCli } = runner;
    assert.instance(await failure(nitroCli.runEnclave({ ...ENCLAVE, cid: 3 })), RangeError);
    assert.instance(await failure(nitroCli.runEnclave({ ...ENCLAVE, cpuCount: 0 })), RangeError);
    assert.instance(await failure(nitroCli.runEnclave({ ...ENCLAVE, memoryMib: 1.5 })), RangeError);
    assert.instance(await failure(nitroCli.runEnclave({ ...ENCLAVE, name: "a b" })), TypeError);
    assert.instance(await failure(nitroCli.runEnclave({ ...ENCLAVE, eifPath: "" })), TypeError);
    assert.equal(await nitroCli.describeEnclaves(), []);
  });
  test.run();
}
