/**
 * The boundary around the Nitro CLI (`nitro-cli`, package aws-nitro-enclaves-cli): the host-agent's only way to
 * start, inspect and stop the enclave. `createNitroCli()` implements it over an injected command runner, so the
 * lifecycle logic is tested with a fake `nitro-cli` on PATH or with no process at all.
 */
/** Runs a program to completion (no shell) and returns its exit code and output. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  options?: { timeoutMs?: number },
) => Promise<{ code: number; stdout: string; stderr: string }>;

/** `nitro-cli run-enclave` arguments. */
export type RunEnclaveParameters = {
  eifPath: string;
  cpuCount: number;
  memoryMib: number;
  /** The enclave's vsock CID (≥ 4; 0-3 are reserved). */
  cid: number;
  name: string;
  /** Debug mode: console readable by the parent, PCR0/1/2 read as zeros (so a PCR0-bound key never opens). */
  debugMode?: boolean;
};

/** What `run-enclave` prints (aws-nitro-enclaves-cli `EnclaveRunInfo`). */
export type EnclaveRunInfo = {
  EnclaveName: string;
  EnclaveID: string;
  ProcessID: number;
  EnclaveCID: number;
  NumberOfCPUs: number;
  CPUIDs: number[];
  MemoryMiB: number;
};

/** One entry of `describe-enclaves` (`EnclaveDescribeInfo`); `State` is "RUNNING", "TERMINATING" or "EMPTY". */
export type EnclaveDescription = EnclaveRunInfo & {
  State: string;
  /** "NONE" or "DEBUG_MODE". */
  Flags: string;
  Measurements?: Record<string, string>;
};

export type NitroCli = {
  runEnclave(parameters: RunEnclaveParameters): Promise<EnclaveRunInfo>;
  describeEnclaves(): Promise<EnclaveDescription[]>;
  terminateEnclave(enclaveId: string): Promise<void>;
};
