import type { SignerClient } from "../../signer/mod.ts";
import type { StateTable } from "../fleet/create_state_table.ts";
import type { Upstream } from "../upstream/create_upstream.ts";

/** The item `/readyz` reads to prove the state table answers (never written). */
const READINESS_PROBE_KEY = "probe#readyz";

export type ReadinessCheck = { ready: boolean; detail?: string };

export type Readiness = {
  ready: boolean;
  /** `signer`: answers `describe`; `upstream`: answers `eth_chainId`; `keys`: at least one key loaded. */
  checks: { signer: ReadinessCheck; upstream: ReadinessCheck; keys: ReadinessCheck; state?: ReadinessCheck };
};

/**
 * Readiness of the proxy (`GET /readyz`): the signer answers `describe`, the node answers `eth_chainId`, the
 * signer holds at least one key, and (with the fleet's state table) the table answers a consistent GetItem. Both are asked at once, each bounded by `timeoutMs`; `detail` says what is
 * wrong in a few words (never an address with credentials, never a key).
 *
 * @example
 * ```ts
 * const readiness = await checkReadiness({ signer, upstream });
 * return c.json(readiness, readiness.ready ? 200 : 503);
 * ```
 */
export async function checkReadiness(parts: { signer: SignerClient; upstream: Upstream; state?: StateTable; timeoutMs?: number }): Promise<Readiness> {
  const timeoutMs = parts.timeoutMs ?? 2000;
  const [described, chainId, probed] = await Promise.allSettled([
    describeWithin(parts.signer, timeoutMs),
    within(parts.upstream.request<string>("eth_chainId"), timeoutMs, "the node did not answer eth_chainId"),
    // The fleet's state table (with --state-table): a consistent GetItem on a key nothing writes.
    parts.state ? within(parts.state.get(READINESS_PROBE_KEY), timeoutMs, `DynamoDB table ${parts.state.name} did not answer`) : Promise.resolve(undefined),
  ]);
  const state: ReadinessCheck | undefined = !parts.state
    ? undefined
    : probed.status === "fulfilled"
    ? { ready: true, detail: `table ${parts.state.name}` }
    : { ready: false, detail: reason(probed.reason, `DynamoDB table ${parts.state.name} unreachable`) };
  const signer = signerCheck(described);
  const upstream: ReadinessCheck = chainId.status === "fulfilled"
    ? { ready: true, detail: `chain ${chainId.value}` }
    : { ready: false, detail: reason(chainId.reason, "node unavailable") };
  const count = described.status === "fulfilled" ? described.value.accounts : undefined;
  const keys: ReadinessCheck = count === undefined
    ? { ready: false, detail: "unknown: the signer did not answer" }
    : count > 0
    ? { ready: true, detail: `${count} loaded` }
    : { ready: false, detail: "no keys loaded" };
  return {
    ready: signer.ready && upstream.ready && keys.ready && (state?.ready ?? true),
    checks: { signer, upstream, keys, ...(state ? { state } : {}) },
  };
}

/**
 * Whether the signer (the enclave) answers `describe` within `timeoutMs` (`GET /readyz/signer`, the load
 * balancer's health check): what one instance can vouch for. The node and the keys are shared by every
 * instance, so taking instances out for them would not help, and replacing them (a load balancer health check
 * in an Auto Scaling group) would churn the whole fleet during a node outage or before the first key exists.
 *
 * @example
 * ```ts
 * const readiness = await checkSignerReadiness({ signer });
 * ```
 */
export async function checkSignerReadiness(parts: { signer: SignerClient; timeoutMs?: number }): Promise<{ ready: boolean; checks: { signer: ReadinessCheck } }> {
  const [described] = await Promise.allSettled([describeWithin(parts.signer, parts.timeoutMs ?? 2000)]);
  const signer = signerCheck(described);
  return { ready: signer.ready, checks: { signer } };
}

function describeWithin(signer: SignerClient, timeoutMs: number) {
  return within(signer.request("describe", {}), timeoutMs, "the signer did not answer describe");
}

function signerCheck(described: PromiseSettledResult<Awaited<ReturnType<typeof describeWithin>>>): ReadinessCheck {
  return described.status === "fulfilled"
    ? { ready: true, detail: `${described.value.name} ${described.value.version}, nsm ${described.value.nsm}` }
    : { ready: false, detail: reason(described.reason, "signer unavailable") };
}

function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function reason(error: unknown, fallback: string): string {
  const message = (error as { shortMessage?: string })?.shortMessage ?? (error instanceof Error ? error.message : undefined);
  return message ? message.split("\n")[0]!.slice(0, 200) : fallback;
}
