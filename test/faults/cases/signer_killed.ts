import type { FaultCase } from "../run_fault_case.ts";
import { waitForReadyz } from "../run_fault_case.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Signer killed (`kill -9`) or hung (`SIGSTOP`) mid-load. In-flight and new requests must get a JSON-RPC error
 * (never a hung socket or a bare HTTP 502); /readyz goes 503, and back to 200 once the supervisor (the
 * host-agent daemon) has started a new signer and loaded its keys; then sends succeed again. A hung signer left
 * unreplaced after `recoverMs` is resumed (SIGCONT) so the run can go on, and the case fails.
 */
export function signerFault(signal: "SIGKILL" | "SIGSTOP", options: { recoverMs?: number } = {}): FaultCase {
  return {
    name: signal === "SIGKILL" ? "signer killed (kill -9)" : "signer hangs (SIGSTOP)",
    concurrency: 8,
    async fault(env, load) {
      await sleep(2000);
      const pid = await env.signerPid();
      if (!pid) throw new Error("Cannot find the signer process");
      const sendsBefore = load.outcomes.length;
      process.kill(pid, signal);
      const faultAt = Date.now();
      const notReadyMs = await waitForReadyz(env.proxyUrl, 503, 15_000);
      const readyAfter = await waitForReadyz(env.proxyUrl, 200, options.recoverMs ?? 180_000);
      const readyAgainMs = readyAfter === undefined ? undefined : Date.now() - faultAt;
      const newPid = await env.signerPid();
      if (signal === "SIGSTOP") {
        try {
          process.kill(pid, "SIGCONT");
        } catch { /* replaced: gone */ }
      }
      const readyAt = readyAgainMs === undefined ? Infinity : faultAt + readyAgainMs;
      const during = load.outcomes.slice(sendsBefore).filter((o) => o.startedAt < readyAt);
      const failures = during.filter((o) => o.kind !== "success");
      // While the new signer runs but its keys are not loaded yet, the signer answers "unknown account" (4100).
      const noKeyYet = failures.filter((o) => o.kind === "rpc-error" && o.code === 4100);
      if (readyAfter !== undefined) await sleep(3000); // sends after the restart
      // Sends begun a second after /readyz said 200 again: the new signer holds its keys, so they succeed.
      const afterReady = load.outcomes.slice(sendsBefore).filter((o) => o.startedAt > readyAt + 1000);
      return {
        readyAgainMs,
        extra: {
          signerPid: `${pid} → ${newPid ?? "none"}`,
          notReadyAfterMs: notReadyMs,
          failedDuringFault: failures.length,
          slowestFailureMs: Math.max(0, ...failures.map((o) => o.ms)),
          firstError: failures[0]?.message,
          unknownAccountWhileKeysLoad: noKeyYet.length,
          sendsAfterReady: `${afterReady.filter((o) => o.kind === "success").length} of ${afterReady.length} succeeded`,
        },
        checks: [
          { what: "/readyz went 503", ok: notReadyMs !== undefined },
          { what: "a new signer, ready again (supervised restart, keys reloaded)", ok: readyAfter !== undefined && newPid !== undefined && newPid !== pid },
          {
            what: "requests during the fault: JSON-RPC errors (-32603; 4100 while the new signer's keys load)",
            ok: failures.every((o) => o.kind === "rpc-error" && (o.code === -32603 || o.code === 4100)),
          },
          { what: "sends after ready again succeed", ok: afterReady.length > 0 && afterReady.every((o) => o.kind === "success") },
        ],
      };
    },
  };
}
