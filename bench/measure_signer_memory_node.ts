/**
 * Measures the signer's resident memory: the real Deno signer (dev mode, simulated NSM, default workers: one per
 * core, as in the enclave) with `--keys` memory-only keys generated and every key used for a few signatures (so
 * each worker's isolate has compiled the signing path), then reads `VmRSS` and `VmHWM` (peak) of the process from
 * `/proc/<pid>/status` (the workers are threads of that process). Prints one JSON line. Linux only.
 *
 * This is the figure behind ENCLAVE_MEMORY_HEADROOM_MIB (host-agent/enclave/check_enclave_memory.ts): what the
 * signer needs beyond the image nitro-cli loads. It runs `deno run signer/main_deno.ts`, whose transpiler state
 * the deno-compiled binary does not carry; the compiled signer could not be run here (the offline build uses the
 * full Deno binary in place of `denort`, which does not start the embedded program).
 *
 * Usage: npx tsx bench/measure_signer_memory_node.ts [--keys N] [--signatures-per-key N] [--workers N]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSigner } from "../local/mod_node.ts";
import { createSignerClient, parseSignerAddress } from "../signer/mod.ts";
import { nodeTransport } from "../signer/mod_node.ts";

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Invalid --${name} ${process.argv[i + 1]}: expected an integer ≥ 0`);
  return n;
};
const keys = arg("keys", 300);
const perKey = arg("signatures-per-key", 5);
const workers = process.argv.includes("--workers") ? arg("workers", 0) : undefined;

const statusKiB = (pid: number, field: string): number => {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`No ${field} in /proc/${pid}/status`);
  return Number(match[1]);
};

const dir = mkdtempSync(join(tmpdir(), "signer-memory-"));
const listen = `unix://${join(dir, "signer.sock")}`;
const signerArgs = ["--mode", "dev", ...(workers === undefined ? [] : ["--workers", String(workers)])];
const { address, service } = await startSigner({ listen, args: signerArgs });
const pid = service.child.pid!;
const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(address)));
try {
  const idle = statusKiB(pid, "VmRSS");
  const addresses: `0x${string}`[] = [];
  for (let i = 0; i < keys; i++) addresses.push((await signer.request("keys.generate", { label: `m${i}` })).address);
  for (let round = 0; round < perKey; round++) {
    await Promise.all(addresses.map((from, i) => signer.request("sign.transaction", {
      address: from,
      transaction: { type: "0x2", chainId: "0x1", nonce: `0x${(round * keys + i).toString(16)}`, gas: "0x5208", maxFeePerGas: "0x3b9aca00", maxPriorityFeePerGas: "0x1", to: from, value: "0x1" },
    })));
    await Promise.all(addresses.map((from) => signer.request("sign.message", { address: from, message: new TextEncoder().encode(`round ${round}`) })));
  }
  const described = await signer.request("describe", {});
  const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
  console.log(JSON.stringify({
    keys: described.accounts,
    workers: described.workers,
    signatures: keys * perKey * 2,
    idleRssMiB: mib(idle),
    rssMiB: mib(statusKiB(pid, "VmRSS")),
    peakRssMiB: mib(statusKiB(pid, "VmHWM")),
  }));
} finally {
  signer.close();
  await service.stop(5_000);
  rmSync(dir, { recursive: true, force: true });
}
