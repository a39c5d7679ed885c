import type { FaultCase } from "../run_fault_case.ts";
import { waitForReadyz } from "../run_fault_case.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function readyzStatus(url: string): Promise<number> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/**
 * KMS and Secrets Manager unavailable at boot: Secrets Manager throttles (400 ThrottlingException) and KMS is
 * unreachable while the signer is restarted (kill -9), so the daemon cannot load its keys. The instance must not
 * report ready until they load, the daemon must retry with backoff, and once both are back the keys load and
 * sends succeed. Needs a supervised signer (`startFaultEnv({ supervised: true })`).
 */
export function awsDownAtBoot(options: { outageMs?: number } = {}): FaultCase {
  return {
    name: "KMS + SM down at boot",
    concurrency: 4,
    async fault(env) {
      const box = env.supervised;
      if (!box) throw new Error("awsDownAtBoot needs a supervised signer");
      await sleep(2000);
      const logsBefore = box.logs.length;
      const refusedBefore = box.secretsBox.counts.refused;
      box.secretsBox.setMode("throttle");
      box.kmsBox.setMode({ kind: "down" });
      const pid = await env.signerPid();
      if (!pid) throw new Error("Cannot find the signer process");
      process.kill(pid, "SIGKILL");
      const notReadyMs = await waitForReadyz(env.proxyUrl, 503, 15_000);
      const statuses: number[] = [];
      const outageAt = Date.now();
      while (Date.now() - outageAt < (options.outageMs ?? 15_000)) {
        statuses.push(await readyzStatus(env.proxyUrl));
        await sleep(250);
      }
      box.secretsBox.setMode("pass");
      box.kmsBox.setMode({ kind: "pass" });
      const readyAgainMs = await waitForReadyz(env.proxyUrl, 200, 120_000);
      const failedLoads = box.logs.slice(logsBefore).filter((l) => l.includes('"keys-load-failed"'));
      const retryDelays = failedLoads.map((l) => (JSON.parse(l) as { retryInMs?: number }).retryInMs).filter((n) => n !== undefined);
      if (readyAgainMs !== undefined) await sleep(3000);
      return {
        readyAgainMs,
        extra: {
          readyzDuringOutage: `${statuses.filter((s) => s === 200).length} of ${statuses.length} were 200`,
          throttledRequests: box.secretsBox.counts.refused - refusedBefore,
          failedKeyLoads: failedLoads.length,
          retryDelaysMs: retryDelays.join(","),
          firstLoadError: failedLoads[0] ? String((JSON.parse(failedLoads[0]) as { error?: string }).error).slice(0, 120) : undefined,
        },
        checks: [
          { what: "/readyz went 503", ok: notReadyMs !== undefined },
          { what: "not ready while the keys cannot load", ok: statuses.every((s) => s !== 200) },
          { what: "key loads retried with growing delays", ok: retryDelays.length >= 2 && retryDelays.every((d, i) => i === 0 || d! >= retryDelays[i - 1]!) },
          { what: "ready again once KMS and SM are back", ok: readyAgainMs !== undefined },
        ],
      };
    },
  };
}

/**
 * KMS and Secrets Manager unavailable during a key reload (the daemon's periodic key sync): Secrets Manager
 * answers 503 and KMS is unreachable for `outageMs` while sends run. Keys already in the signer keep signing:
 * no send fails and /readyz stays 200. Needs `startFaultEnv({ supervised: true, keySyncIntervalMs })`.
 */
export function awsDownDuringReload(options: { outageMs?: number } = {}): FaultCase {
  return {
    name: "KMS + SM down at reload",
    concurrency: 4,
    async fault(env, load) {
      const box = env.supervised;
      if (!box) throw new Error("awsDownDuringReload needs a supervised signer");
      await sleep(2000);
      const logsBefore = box.logs.length;
      const refusedBefore = box.secretsBox.counts.refused;
      const sendsBefore = load.outcomes.length;
      box.secretsBox.setMode("unavailable");
      box.kmsBox.setMode({ kind: "down" });
      const outageAt = Date.now();
      const statuses: number[] = [];
      while (Date.now() - outageAt < (options.outageMs ?? 15_000)) {
        statuses.push(await readyzStatus(env.proxyUrl));
        await sleep(250);
      }
      const during = load.outcomes.slice(sendsBefore);
      box.secretsBox.setMode("pass");
      box.kmsBox.setMode({ kind: "pass" });
      await sleep(3000);
      const failedLoads = box.logs.slice(logsBefore).filter((l) => l.includes('"keys-load-failed"'));
      return {
        extra: {
          sendsDuringOutage: `${during.filter((o) => o.kind === "success").length} of ${during.length} succeeded`,
          refusedAwsRequests: box.secretsBox.counts.refused - refusedBefore,
          failedKeyLoads: failedLoads.length,
          readyzDuringOutage: `${statuses.filter((s) => s === 200).length} of ${statuses.length} were 200`,
        },
        checks: [
          { what: "a reload was attempted and failed during the outage", ok: failedLoads.length > 0 },
          { what: "loaded keys kept signing (every send during the outage succeeded)", ok: during.length > 0 && during.every((o) => o.kind === "success") },
          { what: "/readyz stayed 200", ok: statuses.every((s) => s === 200) },
        ],
      };
    },
  };
}
