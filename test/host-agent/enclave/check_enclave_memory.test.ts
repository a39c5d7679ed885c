import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  checkEnclaveMemory,
  ENCLAVE_MEMORY_HEADROOM_MIB,
  minimumEnclaveMemoryMib,
} from "../../../host-agent/enclave/check_enclave_memory.ts";
import { createNitroCli } from "../../../host-agent/enclave/create_nitro_cli.ts";
import { guardEnclaveMemory } from "../../../host-agent/enclave/guard_enclave_memory.ts";
import type { CommandRunner } from "../../../host-agent/enclave/nitro_cli.ts";

const MIB = 1024 * 1024;

test("minimumEnclaveMemoryMib() is 4 × the EIF (nitro-cli's floor, rounded up to a MiB) plus the signer's measured headroom", () => {
  assert.is(ENCLAVE_MEMORY_HEADROOM_MIB, 320);
  assert.is(minimumEnclaveMemoryMib(150 * MIB), 920);
  assert.is(minimumEnclaveMemoryMib(150 * MIB + 1), 921);
  assert.is(minimumEnclaveMemoryMib(1), 321);
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => minimumEnclaveMemoryMib(bad), RangeError);
});

test("checkEnclaveMemory() accepts the minimum and refuses one MiB less, naming the memory, the EIF size and the minimum", () => {
  checkEnclaveMemory(920, 150 * MIB, { setting: "--memory-mib" });
  try {
    checkEnclaveMemory(919, 150 * MIB, { setting: "--memory-mib" });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, RangeError);
    assert.match((error as Error).message, /^Cannot use --memory-mib 919: the enclave image \(EIF\) is 150\.0 MiB \(157286400 bytes\).* at least 920 MiB$/);
  }
});

const runEnclaveReply = '{ "EnclaveName": "nitro-signer", "EnclaveID": "i-1-enc2", "ProcessID": 42, "EnclaveCID": 16, "NumberOfCPUs": 2, "CPUIDs": [1, 3], "MemoryMiB": 1024 }';

test("guardEnclaveMemory(): run-enclave with too little memory for the EIF is refused before nitro-cli runs; enough memory runs it", async () => {
  const calls: string[][] = [];
  const run: CommandRunner = async (_command, args) => (calls.push([...args]), { code: 0, stdout: runEnclaveReply, stderr: "" });
  const sizes: string[] = [];
  const nitroCli = guardEnclaveMemory(createNitroCli(run), { eifSize: async (path) => (sizes.push(path), 200 * MIB) });
  const parameters = { eifPath: "/opt/nitro-signer/signer.eif", cpuCount: 2, memoryMib: 1024, cid: 16, name: "nitro-signer" };
  await nitroCli.runEnclave(parameters).then(
    () => assert.unreachable("1024 MiB cannot hold a 200 MiB EIF"),
    (error: Error) => assert.match(error.message, /--memory-mib 1024: the enclave image \(EIF\) is 200\.0 MiB .* at least 1120 MiB/),
  );
  assert.equal(calls, [], "nitro-cli never ran");
  assert.is((await nitroCli.runEnclave({ ...parameters, memoryMib: 1120 })).EnclaveID, "i-1-enc2");
  assert.equal(calls.map((a) => a[0]), ["run-enclave"]);
  assert.equal(sizes, [parameters.eifPath, parameters.eifPath], "the EIF is measured before every start");
  await guardEnclaveMemory(createNitroCli(run), { eifSize: () => Promise.reject(new Error("ENOENT")) }).runEnclave(parameters).then(
    () => assert.unreachable(),
    (error: Error) => assert.match(error.message, /cannot read the EIF \/opt\/nitro-signer\/signer\.eif: ENOENT/),
  );
});

test.run();
