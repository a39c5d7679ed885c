import type { AccountPolicy, Hex, WindowStateResult, WindowUsageParams } from "../protocol/messages.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";
import { UnknownAccountError } from "../signing/signing_errors.ts";
import { createFleetWindows } from "./create_fleet_windows.ts";
import { createPolicyWindows } from "./create_policy_windows.ts";
import { evaluatePolicy } from "./evaluate_policy.ts";
import { parsePolicyDocument } from "./parse_policy_document.ts";
import { verifyPolicyApprovals } from "./policy_approval.ts";
import { canonicalPolicyJson, policyDigest } from "./policy_digest.ts";
import { PolicyRefusedError } from "./policy_refused_error.ts";
import type { Governance, PolicyDecision, PolicyDocument, PolicyLimit, PolicyRequest, PolicyReservation } from "./policy_types.ts";
import { WindowStateRequiredError } from "./window_state_errors.ts";

export type CreatePolicyEngineParameters = {
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /**
   * Where the limits' windows live: this engine's memory, or the fleet's table as records the caller presents
   * (docs/fleet-state.md). @default "memory"
   */
  readonly windows?: "memory" | "fleet";
  /** fleet: the key that authenticates an account's window records (deriveWindowKey, held by the key store). */
  readonly windowKey?: (address: Hex) => Promise<CryptoKey>;
};

/**
 * A request decided and reserved: `release()` it if signing fails; once signed, `issue()` gives the successor window
 * record to store (fleet windows with limits), or undefined.
 */
export type PolicyAuthorization = { release(): void; issue(): Promise<WindowStateResult | undefined> };

export type ApplyPolicyReturnType = { readonly address: Hex; readonly digest: Hex; readonly sequence: number };

export type PolicyDescription = { policy: AccountPolicy; document?: string; windows?: WindowUsageParams[] };

export type PolicyEngine = {
  /** A key was loaded or generated: its sealed governance, or undefined for an unrestricted key. */
  setGovernance(address: Hex, governance: Governance | undefined): void;
  /** A key was unloaded: its governance and policy go (its windows and highest applied sequence stay). */
  forget(address: Hex): void;
  /** Puts an approved policy document (JSON text) in force for its account, atomically; the previous one stays on any refusal. */
  apply(documentJson: string, approvals: readonly Hex[]): Promise<ApplyPolicyReturnType>;
  /** Decides a request and reserves it in the limits' windows; throws PolicyRefusedError(rule, reason). */
  authorize(address: Hex, request: PolicyRequest): PolicyReservation;
  /** The decision `authorize` would make, counting nothing (`policy.check`). */
  check(address: Hex, request: PolicyRequest): PolicyDecision;
  /** What governs the account, for `keys.list` and `policy.describe`. */
  describe(address: Hex): PolicyDescription;
  /** What the attestation binds for the account: "unrestricted", "none" (governed, no policy) or the policy digest. */
  attestationEntry(address: Hex): string;
  /** Where the limits' windows live. */
  readonly windows: "memory" | "fleet";
  /**
   * `authorize` with the account's window state (`record`, or null; undefined when the request carried none): in
   * fleet mode, for a policy with limits, decided on that state (WINDOW_STATE_REQUIRED, _INVALID, _STALE); in memory
   * mode `window` is ignored.
   */
  authorizeWithState(address: Hex, request: PolicyRequest, window: Uint8Array | null | undefined): Promise<PolicyAuthorization>;
  /** `check` with the account's window state, as `authorizeWithState` takes it: a dry run on that state. */
  checkWithState(address: Hex, request: PolicyRequest, window: Uint8Array | null | undefined): Promise<PolicyDecision>;
};

type InForce = { readonly document: PolicyDocument; readonly digest: Hex; readonly canonical: string };
type AccountState = { readonly governance: Governance | undefined; readonly policy: InForce | undefined };

const NO_RESERVATION: PolicyReservation = Object.freeze({ release() {} });
const NOTHING_ISSUED = async () => undefined;

/**
 * The signer's policy engine (issue 12, DESIGN §10), pure and in memory: per account, the governance sealed with its
 * key, the policy document in force, and the limits' windows. Unrestricted keys (no governance) are never refused;
 * a governed key signs nothing until an approved policy is in force (`no-policy`, fail closed); an address the
 * engine was never told about is refused as unknown.
 *
 * Rollback within one signer instance: the highest sequence applied per account is kept across `forget`, so after
 * an unload and reload only that same document (same digest) or a higher sequence is accepted again. Across a
 * restart nothing is kept; `notAfter` bounds how long an older approved document stays usable.
 * Windows are kept across `forget` too, so an unload and reload does not reset spending. With `windows: "fleet"` the
 * windows of a policy with limits are the records the caller presents (createFleetWindows): `authorizeWithState` and
 * `checkWithState` decide on them, and `authorize`/`check` without a state refuse with WINDOW_STATE_REQUIRED.
 *
 * @example
 * ```ts
 * const engine = createPolicyEngine();
 * engine.setGovernance(address, { admins, threshold: 2 });
 * await engine.apply(documentText, [approvalA, approvalB]);
 * const reservation = engine.authorize(address, { action: "transaction", transaction });
 * try { return await sign(); } catch (error) { reservation.release(); throw error; }
 * ```
 */
export function createPolicyEngine(parameters: CreatePolicyEngineParameters = {}): PolicyEngine {
  const clock = parameters.now ?? (() => Date.now());
  const mode = parameters.windows ?? "memory";
  if (mode !== "memory" && mode !== "fleet") throw new TypeError(`Cannot create policy engine: windows must be memory or fleet, got ${String(mode)}`);
  const windowKey = parameters.windowKey;
  if (mode === "fleet" && windowKey === undefined) throw new TypeError("Cannot create policy engine: fleet windows need windowKey");
  const windows = createPolicyWindows({ now: clock });
  const fleet = createFleetWindows({ now: clock });
  const accounts = new Map<string, AccountState>();
  /** Highest sequence (and its digest) applied per account since this signer started; survives `forget`. */
  const applied = new Map<string, { readonly sequence: number; readonly digest: Hex }>();

  function stateOf(address: Hex): AccountState {
    const state = typeof address === "string" ? accounts.get(address.toLowerCase()) : undefined;
    if (state === undefined) throw new UnknownAccountError(String(address));
    return state;
  }

  function checkSequence(key: string, state: AccountState, document: PolicyDocument, digest: Hex): void {
    const inForce = state.policy?.document.sequence;
    if (inForce !== undefined && document.sequence <= inForce) {
      throw new InvalidParamsError("policy.sequence", `${document.sequence} is not above ${inForce}, the sequence in force`);
    }
    const highest = applied.get(key);
    if (inForce === undefined && highest !== undefined && (document.sequence < highest.sequence || (document.sequence === highest.sequence && digest !== highest.digest))) {
      throw new InvalidParamsError("policy.sequence", `${document.sequence} is below sequence ${highest.sequence}, already applied to this account since the signer started`);
    }
  }

  function decide(address: Hex, request: PolicyRequest): { state: AccountState; decision: PolicyDecision } {
    const state = stateOf(address);
    if (state.governance === undefined) return { state, decision: { allowed: true, rule: "unrestricted" } };
    if (state.policy === undefined) {
      const { threshold, admins } = state.governance;
      return {
        state,
        decision: {
          allowed: false,
          rule: "no-policy",
          reason: `account ${address.toLowerCase()} is governed by ${threshold} of ${admins.length} admins and has no policy in force`,
        },
      };
    }
    return { state, decision: evaluatePolicy(state.policy.document, request, clock()) };
  }

  /** The limits of the policy in force (none without one). */
  const limitsOf = (state: AccountState): readonly PolicyLimit[] => state.policy?.document.limits ?? [];

  /** fleet: the presented state, verified and not stale (WINDOW_STATE_REQUIRED when the request carried none). */
  async function openState(address: Hex, limits: readonly PolicyLimit[], window: Uint8Array | null | undefined) {
    if (window === undefined) throw new WindowStateRequiredError(address);
    return fleet.open(address, limits, window, await windowKey!(address));
  }

  return {
    setGovernance(address, governance) {
      const key = accountKey(address);
      const normalized = governance === undefined ? undefined : normalizeGovernance(governance);
      const previous = accounts.get(key);
      // The same governance keeps its policy; other admins did not approve the one in force.
      if (previous !== undefined && sameGovernance(previous.governance, normalized)) return;
      accounts.set(key, { governance: normalized, policy: undefined });
    },
    forget(address) {
      accounts.delete(accountKey(address));
    },
    async apply(documentJson, approvals) {
      if (typeof documentJson !== "string") throw new InvalidParamsError("document", "expected the policy document as JSON text");
      let json: unknown;
      try {
        json = JSON.parse(documentJson);
      } catch {
        throw new InvalidParamsError("document", "is not valid JSON");
      }
      const document = parsePolicyDocument(json, { now: clock() });
      const digest = policyDigest(json);
      const key = document.account;
      const state = stateOf(document.account);
      const governance = state.governance;
      if (governance === undefined) {
        throw new InvalidParamsError("policy.account", `${key} is unrestricted (its key was created without admins): it takes no policy`);
      }
      checkSequence(key, state, document, digest);
      await verifyPolicyApprovals({ document, digest, approvals, governance });
      // Checked again after the await: another apply, an unload or a new governance may have come in between.
      const current = accounts.get(key);
      if (current === undefined || current.governance !== governance) {
        throw new InvalidParamsError("policy.account", `${key} was unloaded or its governance changed while the approvals were checked`);
      }
      checkSequence(key, current, document, digest);
      accounts.set(key, { governance, policy: { document, digest, canonical: canonicalPolicyJson(json) } });
      applied.set(key, { sequence: document.sequence, digest });
      return { address: key, digest, sequence: document.sequence };
    },
    windows: mode,
    authorize(address, request) {
      const { state, decision } = decide(address, request);
      if (!decision.allowed) throw new PolicyRefusedError(decision.rule, decision.reason);
      if (state.policy === undefined) return NO_RESERVATION;
      if (mode === "fleet" && limitsOf(state).length > 0) throw new WindowStateRequiredError(address);
      return windows.reserve(address, state.policy.document.limits, request);
    },
    check(address, request) {
      const { state, decision } = decide(address, request);
      if (!decision.allowed || state.policy === undefined) return decision;
      if (mode === "fleet" && limitsOf(state).length > 0) throw new WindowStateRequiredError(address);
      const limits = windows.wouldAllow(address, state.policy.document.limits, request);
      return limits.allowed ? decision : limits;
    },
    async authorizeWithState(address, request, window) {
      const { state, decision } = decide(address, request);
      if (!decision.allowed) throw new PolicyRefusedError(decision.rule, decision.reason);
      const limits = limitsOf(state);
      if (mode === "memory" || limits.length === 0) {
        const reservation = state.policy === undefined ? NO_RESERVATION : windows.reserve(address, limits, request);
        return { release: () => reservation.release(), issue: NOTHING_ISSUED };
      }
      const reservation = (await openState(address, limits, window)).reserve(request);
      return { release() {}, issue: () => reservation.issue() };
    },
    async checkWithState(address, request, window) {
      const { state, decision } = decide(address, request);
      const limits = limitsOf(state);
      if (!decision.allowed || limits.length === 0) return decision;
      const check = mode === "memory" ? windows.wouldAllow(address, limits, request) : (await openState(address, limits, window)).check(request);
      return check.allowed ? decision : check;
    },
    describe(address) {
      const state = stateOf(address);
      if (state.governance === undefined) return { policy: { kind: "unrestricted" } };
      const governance = { admins: [...state.governance.admins], threshold: state.governance.threshold };
      if (state.policy === undefined) return { policy: { kind: "none", governance } };
      const { document, digest, canonical } = state.policy;
      return {
        policy: { kind: "policy", governance, digest, sequence: document.sequence, notAfter: new Date(document.notAfter).toISOString() },
        document: canonical,
        windows: mode === "fleet" ? fleet.usage(address, document.limits) : windows.usage(address, document.limits),
      };
    },
    attestationEntry(address) {
      const state = stateOf(address);
      if (state.governance === undefined) return "unrestricted";
      return state.policy?.digest ?? "none";
    },
  };
}

function accountKey(address: Hex): string {
  if (typeof address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(address)) throw new TypeError(`Cannot use account: expected an address, got ${typeof address}`);
  return address.toLowerCase();
}

/** Lowercase, sorted, unique admins; 1 ≤ threshold ≤ admins (keys' parseGovernance has checked the wire form). */
function normalizeGovernance(governance: Governance): Governance {
  if (!Array.isArray(governance.admins) || governance.admins.some((a) => typeof a !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(a))) {
    throw new TypeError("Cannot set governance: admins must be addresses");
  }
  const admins = [...new Set(governance.admins.map((a) => a.toLowerCase() as Hex))].sort();
  const { threshold } = governance;
  if (admins.length === 0 || !Number.isSafeInteger(threshold) || threshold < 1 || threshold > admins.length) {
    throw new RangeError(`Cannot set governance: threshold must be between 1 and ${admins.length} distinct admins`);
  }
  return Object.freeze({ admins: Object.freeze(admins), threshold });
}

function sameGovernance(a: Governance | undefined, b: Governance | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.threshold === b.threshold && a.admins.length === b.admins.length && a.admins.every((admin, i) => admin === b.admins[i]);
}
