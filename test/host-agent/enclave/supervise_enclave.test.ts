import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createSignerClient, type SignerClient } from "../../../signer/protocol/create_signer_client.ts";
import { parseSignerAddress } from "../../../signer/transport/parse_signer_address.ts";
import { nodeTransport } from "../../../signer/transport/transport_node.ts";
import { runCommand } from "../../../host-agent/daemon/run_command_node.ts";
import { sleep } from "../../../host-agent/timing/sleep.ts";
import { createNitroCli } from "../../../host-agent/enclave/create_nitro_cli.ts";
import type { EnclaveStatus } from "../../../host-agent/enclave/enclave_status.ts";
import { superviseEnclave, type PrepareSignerResult, type SuperviseEnclaveOptions } from "../../../host-agent/enclave/supervise_enclave.ts";
import { tempDir } from "../../helpers/temp_dir.ts";
import { FAKES_DIR, nitroCliCalls, signerEnclaveCommand, waitFor } from "../helpers/fake_enclave.ts";

// The enclave lifecycle against the fake `nitro-cli` on PATH, whose "enclave" is the real Deno signer on a
// Unix socket (no vsock loopback here). Intervals are short; nothing asserts how long anything took.
process.env.PATH = `${FAKES_DIR}:${process.env.PATH}`;

type Harness = {
  statuses: EnclaveStatus[];
  prepared: string[];
  delays: number[];
  events: Record<string, unknown>[];
  stateDir: string;
  stop(): Promise<void>;
  done: Promise<void>;
  last(): EnclaveStatus | undefined;
  waitForStatus(what: string, check: (s: EnclaveStatus) => boolean): Promise<EnclaveStatus>;
};

async function supervise(options: {
  prepare?: (signer: SignerClient) => Promise<PrepareSignerResult>;
  failRuns?: number;
  timings?: SuperviseEnclaveOptions["timings"];
  before?: (stateDir: string, eif: string) => Promise<void>;
  /** The signer client's own per-request timeout. @default 1000 */
  clientTimeoutMs?: number;
} = {}): Promise<Harness> {
  const dir = await tempDir("supervise-");
  const eif = join(dir.path, "signer.eif");
  await writeFile(eif, "not really an EIF");
  const socket = join(dir.path, "signer.sock");
  process.env.FAKE_NITRO_CLI_STATE = dir.path;
  process.env.FAKE_NITRO_CLI_ENCLAVE_COMMAND = JSON.stringify(signerEnclaveCommand(`unix://${socket}`));
  process.env.FAKE_NITRO_CLI_FAIL_RUNS = String(options.failRuns ?? 0);
  await options.before?.(dir.path, eif);
  const statuses: EnclaveStatus[] = [];
  const prepared: string[] = [];
  const delays: number[] = [];
  const events: Record<string, unknown>[] = [];
  const controller = new AbortController();
  const done = superviseEnclave({
    nitroCli: createNitroCli(runCommand),
    enclave: { eifPath: eif, cpuCount: 2, memoryMib: 512, cid: 16, name: "nitro-signer" },
    connectSigner: () => createSignerClient(() => nodeTransport.connect(parseSignerAddress(`unix://${socket}`)), { timeoutMs: options.clientTimeoutMs ?? 1000 }),
    prepare: options.prepare ?? (async (signer) => {
      const info = await signer.request("describe", {});
      prepared.push(`${info.name} accounts=${info.accounts}`);
      return { loaded: [], failed: [] };
    }),
    onStatus: (s) => void statuses.push(s),
    signal: controller.signal,
    timings: { watchIntervalMs: 50, bootPollMs: 50, bootTimeoutMs: 60_000, restartBackoff: { initialMs: 10, maxMs: 40 }, keyRetryBackoff: { initialMs: 20, maxMs: 40 }, ...options.timings },
    sleep: (ms, signal) => {
      delays.push(ms);
      return sleep(ms, signal);
    },
    log: (e) => events.push(e),
  });
  const last = () => statuses.at(-1);
  return {
    statuses, prepared, delays, events, stateDir: dir.path, done, last,
    waitForStatus: (what, check) =>
      waitFor(() => statuses.find((s, i) => i >= 0 && check(s)), what, 60_000, () => JSON.stringify(events.slice(-10))),
    async stop() {
      controller.abort();
      await done;
      await runCommand("nitro-cli", ["terminate-enclave", "--all"]);
      await dir.remove();
    },
  };
}

/** Freezes the running enclave's signer (SIGSTOP) and waits until the daemon gives up on it after 2 failed health checks. */
async function freezeUntilRestarting(h: Awaited<ReturnType<typeof supervise>>): Promise<{ ProcessID: number; EnclaveID: string }> {
  const [running] = JSON.parse((await runCommand("nitro-cli", ["describe-enclaves"])).stdout) as { ProcessID: number; EnclaveID: string }[];
  process.kill(running!.ProcessID, "SIGSTOP");
  const down = await h.waitForStatus("restarting", (s) => s.state === "restarting");
  assert.match(down.lastError!, /did not answer 2 health checks/);
  return running!;
}

const stateSequence = (statuses: EnclaveStatus[]) => statuses.map((s) => s.state).filter((s, i, all) => s !== all[i - 1]);

test("starts the enclave, waits for the signer, prepares it, then reports ready", async () => {
  const h = await supervise();
  try {
    const ready = await h.waitForStatus("ready", (s) => s.ready);
    assert.equal(stateSequence(h.statuses).slice(0, 4), ["starting", "booting", "loading-keys", "ready"]);
    assert.is(ready.state, "ready");
    assert.is(ready.enclave!.cid, 16);
    assert.is(ready.enclave!.name, "nitro-signer");
    assert.equal(ready.keys!.failed, []);
    assert.equal(h.prepared, ["nitro-eth-signer accounts=0"]);
    assert.ok(h.statuses.slice(0, h.statuses.indexOf(ready)).every((s) => !s.ready), "never ready before prepare finished");
    const run = (await nitroCliCalls(h.stateDir)).find((args) => args[0] === "run-enclave")!;
    assert.equal(run, ["run-enclave", "--eif-path", join(h.stateDir, "signer.eif"), "--cpu-count", "2", "--memory", "512", "--enclave-cid", "16", "--enclave-name", "nitro-signer"]);
  } finally {
    await h.stop();
  }
  assert.is(h.last()!.state, "stopped");
  assert.is(h.last()!.ready, false);
});

test("a crashed enclave is noticed, restarted, and prepared again (keys reloaded) before it is ready again", async () => {
  const h = await supervise();
  try {
    const first = await h.waitForStatus("ready", (s) => s.ready);
    const [running] = JSON.parse((await runCommand("nitro-cli", ["describe-enclaves"])).stdout) as { ProcessID: number }[];
    process.kill(running!.ProcessID, "SIGKILL"); // the enclave dies
    const down = await h.waitForStatus("restarting", (s) => s.state === "restarting");
    assert.is(down.ready, false);
    assert.match(down.lastError!, /enclave exited/);
    const second = await h.waitForStatus("ready again", (s) => s.ready && s.restarts === 1);
    assert.is.not(second.enclave!.id, first.enclave!.id);
    assert.equal(h.prepared, ["nitro-eth-signer accounts=0", "nitro-eth-signer accounts=0"]);
    const between = h.statuses.slice(h.statuses.indexOf(down), h.statuses.indexOf(second));
    assert.ok(between.every((s) => !s.ready), "not ready between the crash and the second prepare");
  } finally {
    await h.stop();
  }
});

test("run-enclave failures are retried with a growing backoff, then the enclave starts", async () => {
  const h = await supervise({ failRuns: 3 });
  try {
    const ready = await h.waitForStatus("ready", (s) => s.ready);
    assert.is(ready.restarts, 3);
    const failures = h.events.filter((e) => e.event === "enclave-down");
    assert.is(failures.length, 3);
    assert.match(String(failures[0]!.reason), /run-enclave failed.*\[ E36 \] Enclave boot failure/);
    assert.equal(failures.map((e) => e.restartInMs), [10, 20, 40]);
  } finally {
    await h.stop();
  }
});

test("a leftover enclave with the same name is terminated before the new one starts", async () => {
  let leftover = "";
  const h = await supervise({
    before: async (_stateDir, eif) => {
      const out = await runCommand("nitro-cli", ["run-enclave", "--eif-path", eif, "--cpu-count", "2", "--memory", "512", "--enclave-cid", "16", "--enclave-name", "nitro-signer"]);
      leftover = JSON.parse(out.stdout).EnclaveID;
    },
  });
  try {
    const ready = await h.waitForStatus("ready", (s) => s.ready);
    assert.is.not(ready.enclave!.id, leftover);
    const calls = await nitroCliCalls(h.stateDir);
    assert.ok(calls.some((args) => args[0] === "terminate-enclave" && args.includes(leftover)));
  } finally {
    await h.stop();
  }
});

test("a signer that stops answering (process frozen) is terminated and restarted", async () => {
  const h = await supervise({ timings: { unhealthyAfter: 2 } });
  try {
    await h.waitForStatus("ready", (s) => s.ready);
    const running = await freezeUntilRestarting(h);
    await h.waitForStatus("ready again", (s) => s.ready && s.restarts === 1);
    const calls = await nitroCliCalls(h.stateDir);
    assert.ok(calls.some((args) => args[0] === "terminate-enclave" && args.includes(running.EnclaveID)), "the frozen enclave was terminated");
  } finally {
    await h.stop();
  }
});

test("a frozen signer is replaced on health-check timeouts, not the signer client's (much longer) request timeout", async () => {
  const h = await supervise({ clientTimeoutMs: 600_000, timings: { unhealthyAfter: 2, healthCheckTimeoutMs: 200 } });
  try {
    await h.waitForStatus("ready", (s) => s.ready);
    await freezeUntilRestarting(h);
    assert.ok(h.events.some((e) => e.event === "signer-unhealthy" && /no answer within 200 ms/.test(String(e.error))));
    await h.waitForStatus("ready again", (s) => s.ready && s.restarts === 1);
  } finally {
    await h.stop();
  }
});

test("a signer frozen between key syncs is health-checked before the next sync, which would otherwise wait out the client's timeout", async () => {
  const h = await supervise({
    clientTimeoutMs: 600_000,
    prepare: async () => ({ loaded: [], failed: [] }), // no signer call of its own: only the sync's describe can wait
    timings: { unhealthyAfter: 2, healthCheckTimeoutMs: 200, keySyncIntervalMs: 50 },
  });
  try {
    await h.waitForStatus("ready", (s) => s.ready);
    await freezeUntilRestarting(h);
    await h.waitForStatus("ready again", (s) => s.ready && s.restarts === 1);
  } finally {
    await h.stop();
  }
});

test("key records that fail to load are reported and retried; ready once the signer holds keys or none fail", async () => {
  let attempt = 0;
  const h = await supervise({
    prepare: async (signer) => {
      attempt++;
      if (attempt === 1) throw new Error("Secrets Manager unreachable");
      if (attempt === 2) return { loaded: [], failed: [{ name: "nitro-signer/keys/0xabc", error: "KMS_ACCESS_DENIED: denied" }] };
      if (attempt === 3) {
        await signer.request("keys.generate", { label: "memory-only" });
        return { loaded: ["0x1"], failed: [{ name: "nitro-signer/keys/0xabc", error: "KMS_ACCESS_DENIED: denied" }] };
      }
      return { loaded: ["0x1", "0xabc"], failed: [] };
    },
    timings: { keySyncIntervalMs: 0 },
  });
  try {
    const degraded = await h.waitForStatus("ready with a failed record", (s) => s.ready);
    assert.is(attempt, 3, "not ready after an error, nor with only failures");
    assert.is(degraded.keys!.accounts, 1);
    assert.equal(degraded.keys!.failed, [{ name: "nitro-signer/keys/0xabc", error: "KMS_ACCESS_DENIED: denied" }]);
    assert.match(degraded.lastError!, /1 key record\(s\) failed to load: KMS_ACCESS_DENIED/);
    const early = h.statuses.slice(0, h.statuses.indexOf(degraded));
    assert.ok(early.some((s) => s.lastError?.includes("Secrets Manager unreachable")));
    const healed = await h.waitForStatus("all records loaded", (s) => s.ready && s.keys?.failed.length === 0);
    assert.is(healed.lastError, null);
  } finally {
    await h.stop();
  }
});

test.run();
