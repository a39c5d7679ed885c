import type { CommandRunner, EnclaveDescription, EnclaveRunInfo, NitroCli, RunEnclaveParameters } from "./nitro_cli.ts";
import { checkRunEnclaveParameters } from "./check_run_enclave_parameters.ts";
import { NitroCliError } from "./nitro_cli_error.ts";
import { parseDescribeEnclaves } from "./parse_describe_enclaves.ts";
import { firstLine, parseNitroCliJson } from "./parse_nitro_cli_json.ts";
import { parseRunEnclave } from "./parse_run_enclave.ts";

export type CreateNitroCliOptions = {
  /** The program to run. @default "nitro-cli" (found on PATH) */
  command?: string;
  /** `run-enclave` waits for the enclave to boot; the others are quick. @default { run: 300000, other: 30000 } */
  timeoutMs?: { run?: number; other?: number };
};

/**
 * The Nitro CLI over a command runner: builds the arguments, checks the exit code, parses the JSON. A failure
 * becomes a NitroCliError whose message carries nitro-cli's `[ Exx ] …` line (never its backtrace).
 *
 * @example
 * ```ts
 * const nitroCli = createNitroCli(runCommand);
 * const { EnclaveID } = await nitroCli.runEnclave({ eifPath, cpuCount: 2, memoryMib: 1024, cid: 16, name: "nitro-signer" });
 * ```
 */
export function createNitroCli(run: CommandRunner, options: CreateNitroCliOptions = {}): NitroCli {
  const command = options.command ?? "nitro-cli";
  const runTimeout = options.timeoutMs?.run ?? 300_000;
  const otherTimeout = options.timeoutMs?.other ?? 30_000;

  const invoke = async (args: string[], timeoutMs: number): Promise<string> => {
    let result;
    try {
      result = await run(command, args, { timeoutMs });
    } catch (cause) {
      throw new NitroCliError(`Cannot run ${command} ${args[0]}: ${(cause as Error).message}`, { cause });
    }
    if (result.code !== 0) {
      const summary = firstLine(result.stderr) || firstLine(result.stdout) || `exit code ${result.code}`;
      const nitroCode = /^\[\s*(E\d+)\s*\]/.exec(summary)?.[1];
      throw new NitroCliError(`nitro-cli ${args[0]} failed: ${summary}`, nitroCode === undefined ? {} : { nitroCode });
    }
    return result.stdout;
  };

  return {
    async runEnclave(p: RunEnclaveParameters): Promise<EnclaveRunInfo> {
      checkRunEnclaveParameters(p);
      const args = [
        "run-enclave",
        "--eif-path", p.eifPath,
        "--cpu-count", String(p.cpuCount),
        "--memory", String(p.memoryMib),
        "--enclave-cid", String(p.cid),
        "--enclave-name", p.name,
        ...(p.debugMode ? ["--debug-mode"] : []),
      ];
      return parseRunEnclave(await invoke(args, runTimeout));
    },
    async describeEnclaves(): Promise<EnclaveDescription[]> {
      return parseDescribeEnclaves(await invoke(["describe-enclaves"], otherTimeout));
    },
    async terminateEnclave(enclaveId: string): Promise<void> {
      if (!/^[\w-]{1,128}$/.test(enclaveId)) throw new TypeError(`Cannot terminate enclave ${JSON.stringify(enclaveId)}: invalid id`);
      const out = parseNitroCliJson(await invoke(["terminate-enclave", "--enclave-id", enclaveId], otherTimeout), "terminate-enclave");
      if ((out as { Terminated?: unknown }).Terminated !== true) throw new NitroCliError(`nitro-cli terminate-enclave did not terminate ${enclaveId}`);
    },
  };
}
