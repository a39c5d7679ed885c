import type { KeyStore } from "../keys/key_store.ts";
import type { PolicyEngine } from "../policy/create_policy_engine.ts";
import { PolicyRefusedError } from "../policy/policy_refused_error.ts";
import type { PolicyRequest } from "../policy/policy_types.ts";
import { SIGNING_POLICY } from "../policy/signing_policy.ts";
import type { Hex, SignerMethods, WindowStateResult } from "../protocol/messages.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";
import { parseAddress } from "../protocol/params/parse_address.ts";
import { parseQuantity } from "../protocol/params/parse_quantity.ts";
import { parseTransaction } from "../signing/parse_transaction.ts";
import { parseTypedData } from "../signing/parse_typed_data.ts";
import { typedDataDigest } from "../signing/typed_data_digest.ts";
import type { SigningRequest } from "../workers/sign_request.ts";
import { addressParam, paramsRecord } from "./method_helpers.ts";

type Handler<M extends keyof SignerMethods> = (params: unknown) => SignerMethods[M]["result"] | Promise<SignerMethods[M]["result"]>;

/** EIP-7702 §"Parameters" allows nonces below 2^64 and any chain id; viem takes both as numbers, exact up to 2^53. */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A sign.* request, checked: whose key, what the key store signs, what the account's policy decides on, and the
 * window state it carried (fleet windows: the record, null for none; undefined when it carried no `window`).
 */
type Checked = { address: Hex; signing: SigningRequest; policy: () => PolicyRequest; window: Uint8Array | null | undefined };

/**
 * The `sign.*` and `policy.*` methods. Each sign.* method validates its params, asks the account's policy
 * (signer/policy/, DESIGN §10) and only then has the key store sign exactly what it was given (nothing is filled
 * in here), in a signing worker when the store has them:
 *
 * - `sign.transaction` `{ address, transaction }` → `{ raw, hash }`
 * - `sign.message` `{ address, message: bytes }` → `{ signature }` (EIP-191 personal message)
 * - `sign.typedData` `{ address, typedData, chainId? }` → `{ signature }` (EIP-712); refused with
 *   POLICY_REFUSED when `typedData.domain.chainId` is given and differs from `chainId` (the caller's chain)
 * - `sign.authorization` `{ address, authorization: { chainId, address, nonce } }` → the signed tuple
 *   (EIP-7702); chain id 0 (valid on every chain) is refused with POLICY_REFUSED
 * - `policy.apply` `{ document, approvals }`, `policy.check` `{ method, params }`, `policy.describe` `{ address? }`
 *
 * A governed key (one sealed with admins) signs only what its approved policy allows, and nothing while it has
 * none; its request is counted in the policy's limits before the signature leaves, and given back if signing
 * fails. An unrestricted key's request is signed as before, without parsing it twice. With fleet windows
 * (docs/fleet-state.md) each sign.* and policy.check takes `window: { record }`, and a sign.* whose account's
 * policy has limits answers with the successor record as `window: { version, record, expiresAt }`.
 *
 * @example
 * ```ts
 * const { raw } = await signingMethods({ keyStore, policy })["sign.transaction"]({ address, transaction });
 * ```
 */
export function signingMethods(deps: { keyStore: KeyStore; policy: PolicyEngine }): {
  "sign.transaction": Handler<"sign.transaction">;
  "sign.message": Handler<"sign.message">;
  "sign.typedData": Handler<"sign.typedData">;
  "sign.authorization": Handler<"sign.authorization">;
  "policy.describe": Handler<"policy.describe">;
  "policy.apply": Handler<"policy.apply">;
  "policy.check": Handler<"policy.check">;
} {
  const { keyStore, policy } = deps;
  const syncGovernance = governanceSync(deps);

  const check = {
    "sign.transaction": (params: unknown): Checked => {
      const p = paramsRecord(params);
      return {
        address: addressParam(p),
        signing: { kind: "transaction", transaction: p.transaction },
        policy: () => ({ action: "transaction", transaction: parseTransaction(p.transaction) }),
        window: windowParam(p),
      };
    },
    "sign.message": (params: unknown): Checked => {
      const p = paramsRecord(params);
      const address = addressParam(p);
      if (!(p.message instanceof Uint8Array)) throw new InvalidParamsError("message", "expected bytes");
      // A copy of just the message: the decoded bytes may be a view into the whole frame buffer.
      const message = p.message.slice();
      return { address, signing: { kind: "message", message }, policy: () => ({ action: "message", message }), window: windowParam(p) };
    },
    "sign.typedData": (params: unknown): Checked => {
      const p = paramsRecord(params);
      const address = addressParam(p);
      const chainId = p.chainId === undefined ? undefined : quantity(p.chainId, "chainId");
      const parsed = parseTypedData(p.typedData);
      if (chainId !== undefined && parsed.chainId !== undefined && parsed.chainId !== chainId) {
        throw new PolicyRefusedError("typed-data-chain", `typed data domain chainId ${parsed.chainId} does not match chain ${chainId}`);
      }
      const { typedData } = parsed;
      // Encoded before the policy decides (values checked against their types), so that typed data signing would
      // refuse as INVALID_PARAMS is refused so by policy.check and by a governed key's sign.typedData alike.
      const policy = (): PolicyRequest => (typedDataDigest(typedData), { action: "typedData", typedData });
      return { address, signing: { kind: "typedData", typedData }, policy, window: windowParam(p) };
    },
    "sign.authorization": (params: unknown): Checked => {
      const p = paramsRecord(params);
      const address = addressParam(p);
      const a = paramsRecord(p.authorization);
      const chainId = quantity(a.chainId, "authorization.chainId");
      const nonce = quantity(a.nonce, "authorization.nonce");
      // The rule parseTransaction applies, so that a transaction's authorizationList accepts what is signed here.
      const delegate = parseAddress(a.address, "authorization.address");
      if (chainId === 0n) throw new PolicyRefusedError("authorization-any-chain", "an authorization with chainId 0 is valid on every chain (EIP-7702)");
      if (chainId > MAX_SAFE) throw new InvalidParamsError("authorization.chainId", "too large");
      if (nonce > MAX_SAFE) throw new InvalidParamsError("authorization.nonce", "too large");
      const authorization = { chainId: Number(chainId), address: delegate, nonce: Number(nonce) };
      return {
        address,
        signing: { kind: "authorization", authorization },
        policy: () => ({ action: "authorization", authorization }),
        window: windowParam(p),
      };
    },
  } as const;

  /**
   * Asks the policy (reserving the request in its limits), signs, and gives the reservation back if signing fails;
   * with fleet windows, the successor window record is issued only once the signature exists.
   */
  const sign = async <T>(checked: Checked): Promise<{ signed: T; window?: WindowStateResult }> => {
    if (!syncGovernance(checked.address)) return { signed: (await keyStore.sign(checked.address, checked.signing)) as T };
    const authorization = await policy.authorizeWithState(checked.address, checked.policy(), checked.window);
    let signed: T;
    try {
      signed = (await keyStore.sign(checked.address, checked.signing)) as T;
    } catch (error) {
      authorization.release();
      throw error;
    }
    const window = await authorization.issue();
    return window === undefined ? { signed } : { signed, window };
  };
  /** The result with the window record beside it, when one was issued. */
  const answer = <R extends object>(result: R, window: WindowStateResult | undefined) => (window === undefined ? result : { ...result, window });

  return {
    "sign.transaction": async (params) => {
      const { signed, window } = await sign<{ raw: Hex; hash: Hex }>(check["sign.transaction"](params));
      return answer(signed, window);
    },
    "sign.message": async (params) => {
      const { signed, window } = await sign<Hex>(check["sign.message"](params));
      return answer({ signature: signed }, window);
    },
    "sign.typedData": async (params) => {
      const { signed, window } = await sign<Hex>(check["sign.typedData"](params));
      return answer({ signature: signed }, window);
    },
    "sign.authorization": async (params) => {
      const { signed, window } = await sign<SignerMethods["sign.authorization"]["result"]>(check["sign.authorization"](params));
      return answer(signed, window);
    },
    "policy.apply": (params) => {
      const p = paramsRecord(params);
      if (typeof p.document !== "string") throw new InvalidParamsError("document", "expected the policy document as JSON text");
      if (!Array.isArray(p.approvals) || !p.approvals.every((a): a is Hex => typeof a === "string")) {
        throw new InvalidParamsError("approvals", "expected an array of 0x signatures");
      }
      for (const { address } of keyStore.list()) syncGovernance(address);
      return policy.apply(p.document, p.approvals);
    },
    "policy.check": async (params) => {
      const p = paramsRecord(params);
      const window = windowParam(p);
      const method = p.method;
      if (typeof method !== "string" || !Object.hasOwn(check, method)) {
        throw new InvalidParamsError("method", `expected one of ${Object.keys(check).join(", ")}`);
      }
      let checked: Checked;
      try {
        checked = check[method as keyof typeof check](p.params);
      } catch (error) {
        // The built-in rules refuse before any account policy is asked.
        if (error instanceof PolicyRefusedError) return { allowed: false, rule: error.rule, reason: error.reason };
        throw error;
      }
      // The request as the policy sees it, built (and validated) for every key, so that the dry run refuses
      // malformed requests as the real one would, unrestricted keys included.
      const request = checked.policy();
      if (!syncGovernance(checked.address)) return { allowed: true, rule: "unrestricted" };
      return { ...(await policy.checkWithState(checked.address, request, window)) };
    },
    "policy.describe": (params) => {
      const { address } = paramsRecord(params);
      const addresses = address === undefined ? keyStore.list().map((entry) => entry.address) : [addressParam({ address })];
      return {
        rules: SIGNING_POLICY.map((rule) => ({ ...rule })),
        accounts: addresses.map((a) => {
          syncGovernance(a);
          return { address: keyStore.get(a).address, ...policy.describe(a) };
        }),
      };
    },
  };
}

/**
 * Keeps the engine's view of each key's governance in step with the key store, which holds it with the key (sealed
 * in its ciphertext's EncryptionContext): called before every decision, so a governed key is never judged
 * unrestricted, not even between being loaded and being told about. Returns whether the account is governed.
 * A key the store does not hold is forgotten, and the engine then refuses it as unknown.
 */
export function governanceSync(deps: { keyStore: KeyStore; policy: PolicyEngine }): (address: Hex) => boolean {
  return (address) => {
    if (!deps.keyStore.has(address)) {
      deps.policy.forget(address);
      return false;
    }
    const governance = deps.keyStore.governance(address);
    deps.policy.setGovernance(address, governance);
    return governance !== undefined;
  };
}

const quantity = (value: unknown, field: string) => parseQuantity(value, field);

/** The optional `window: { record: bytes | null }` of a sign.* or policy.check request (fleet windows). */
function windowParam(p: Record<string, unknown>): Uint8Array | null | undefined {
  if (p.window === undefined) return undefined;
  const window = p.window;
  if (typeof window !== "object" || window === null || Array.isArray(window) || window instanceof Uint8Array || !("record" in window)) {
    throw new InvalidParamsError("window", "expected { record: bytes | null }");
  }
  if (window.record === null) return null;
  if (!(window.record instanceof Uint8Array)) throw new InvalidParamsError("window.record", "expected the window record as bytes, or null");
  return window.record.slice();
}
