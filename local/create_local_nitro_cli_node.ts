import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import {
  checkRunEnclaveParameters,
  type EnclaveDescription,
  type EnclaveRunInfo,
  type NitroCli,
  NitroCliError,
  type RunEnclaveParameters,
} from "../host-agent/mod.ts";
import type { Service } from "./spawn_service_node.ts";
import { startSigner } from "./start_signer_node.ts";

export type CreateLocalNitroCliOptions = {
  /** Where the signer listens (`unix:///…` or `tcp://127.0.0.1:PORT`); a stale Unix socket is removed first. */
  listen: string;
  /** The signer's arguments after `--listen` (`--mode dev`, `--pki`, `--pcr`, `--kms-proxy`, …). */
  signerArgs: readonly string[];
  /** Extra environment for the signer process. */
  env?: Record<string, string>;
  /** Starts the "enclave" process. @default startSigner (the Deno signer, local/start_signer_node.ts) */
  startEnclave?: (options: { listen: string; args: string[]; env?: Record<string, string> }) => Promise<{ service: Service }>;
};

type Running = { info: EnclaveRunInfo; service: Service; flags: string };

/**
 * The local enclave runner: the `NitroCli` boundary the host-agent daemon drives (`superviseEnclave`), with the
 * enclave replaced by the Deno signer as a child process (simulated NSM), exactly as `nitro-cli` would run the
 * EIF on an instance. `runEnclave` starts the signer and resolves once it listens (as `run-enclave` returns once
 * the enclave booted); `describeEnclaves` lists it while the process lives (a killed signer is an exited enclave);
 * `terminateEnclave` stops it. One enclave at a time, as on a parent instance: a second `runEnclave` fails with
 * `NITRO_CLI_FAILED` (nitroCode E11 for the same CID, E27 otherwise), as does terminating an unknown id (E39).
 * The EIF path, CPU count and memory are checked like `createNitroCli` and otherwise only reported.
 *
 * @example
 * ```ts
 * const nitroCli = createLocalNitroCli({ listen: "unix:///tmp/signer.sock", signerArgs: ["--mode", "dev"] });
 * await runDaemon(config, { nitroCli, transport: nodeTransport, writeStatus, loadAllKeys, signal });
 * ```
 */
export function createLocalNitroCli(options: CreateLocalNitroCliOptions): NitroCli {
  const startEnclave = options.startEnclave ?? startSigner;
  let current: Running | undefined;
  const alive = (r: Running | undefined): r is Running => r !== undefined && r.service.child.exitCode === null && r.service.child.signalCode === null;

  return {
    async runEnclave(p: RunEnclaveParameters): Promise<EnclaveRunInfo> {
      checkRunEnclaveParameters(p);
      if (alive(current)) {
        const nitroCode = current.info.EnclaveCID === p.cid ? "E11" : "E27";
        throw new NitroCliError(`nitro-cli run-enclave failed: [ ${nitroCode} ] an enclave is already running (${current.info.EnclaveID})`, { nitroCode });
      }
      if (options.listen.startsWith("unix://")) await rm(options.listen.slice("unix://".length), { force: true });
      let service: Service;
      try {
        ({ service } = await startEnclave({ listen: options.listen, args: [...options.signerArgs], ...(options.env ? { env: options.env } : {}) }));
      } catch (cause) {
        throw new NitroCliError(`nitro-cli run-enclave failed: [ E36 ] the signer did not start: ${(cause as Error).message.split("\n")[0]}`, { nitroCode: "E36", cause });
      }
      const info: EnclaveRunInfo = {
        EnclaveName: p.name,
        EnclaveID: `i-local-enc${randomBytes(8).toString("hex")}`,
        ProcessID: service.child.pid ?? 0,
        EnclaveCID: p.cid,
        NumberOfCPUs: p.cpuCount,
        CPUIDs: Array.from({ length: p.cpuCount }, (_, i) => 1 + 2 * i),
        MemoryMiB: p.memoryMib,
      };
      current = { info, service, flags: p.debugMode ? "DEBUG_MODE" : "NONE" };
      return info;
    },
    async describeEnclaves(): Promise<EnclaveDescription[]> {
      return alive(current) ? [{ ...current.info, State: "RUNNING", Flags: current.flags }] : [];
    },
    async terminateEnclave(enclaveId: string): Promise<void> {
      if (!/^[\w-]{1,128}$/.test(enclaveId)) throw new TypeError(`Cannot terminate enclave ${JSON.stringify(enclaveId)}: invalid id`);
      if (!alive(current) || current.info.EnclaveID !== enclaveId) {
        throw new NitroCliError(`nitro-cli terminate-enclave failed: [ E39 ] no enclave ${enclaveId}`, { nitroCode: "E39" });
      }
      const { service } = current;
      current = undefined;
      await service.stop();
    },
  };
}
