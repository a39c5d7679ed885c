import type { KeyStore } from "../keys/key_store.ts";
import { PolicyRefusedError } from "../policy/policy_refused_error.ts";
import { SIGNING_POLICY } from "../policy/signing_policy.ts";
import type { SignerMethods } from "../protocol/messages.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";
import { parseAddress } from "../protocol/params/parse_address.ts";
import { parseQuantity } from "../protocol/params/parse_quantity.ts";
import { parseTypedData } from "../signing/parse_typed_data.ts";
import { addressParam, paramsRecord } from "./method_helpers.ts";

type Handler<M extends keyof SignerMethods> = (params: unknown) => SignerMethods[M]["result"] | Promise<SignerMethods[M]["result"]>;

/** EIP-7702 §"Parameters" allows nonces below 2^64 and any chain id; viem takes both as numbers, exact up to 2^53. */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The `sign.*` methods: each validates its params and has the key store sign exactly what it is given
 * (nothing is filled in here), in a signing worker when the store has them. A transaction is validated
 * (`parseTransaction`) where it is signed, after the account check, as before.
 *
 * - `sign.transaction` `{ address, transaction }` → `{ raw, hash }`
 * - `sign.message` `{ address, message: bytes }` → `{ signature }` (EIP-191 personal message)
 * - `sign.typedData` `{ address, typedData, chainId? }` → `{ signature }` (EIP-712); refused with
 *   POLICY_REFUSED when `typedData.domain.chainId` is given and differs from `chainId` (the caller's chain)
 * - `sign.authorization` `{ address, authorization: { chainId, address, nonce } }` → the signed tuple
 *   (EIP-7702); chain id 0 (valid on every chain) is refused with POLICY_REFUSED
 * - `policy.describe` → `{ rules }`: SIGNING_POLICY, what the signer refuses
 *
 * @example
 * ```ts
 * const { raw } = await signingMethods({ keyStore })["sign.transaction"]({ address, transaction });
 * ```
 */
export function signingMethods(deps: { keyStore: KeyStore }): {
  "sign.transaction": Handler<"sign.transaction">;
  "sign.message": Handler<"sign.message">;
  "sign.typedData": Handler<"sign.typedData">;
  "sign.authorization": Handler<"sign.authorization">;
  "policy.describe": Handler<"policy.describe">;
} {
  const { keyStore } = deps;
  return {
    "policy.describe": () => ({ rules: SIGNING_POLICY.map((rule) => ({ ...rule })), accounts: [] }),
    "sign.transaction": (params) => {
      const p = paramsRecord(params);
      return keyStore.sign(addressParam(p), { kind: "transaction", transaction: p.transaction });
    },
    "sign.message": async (params) => {
      const p = paramsRecord(params);
      const address = addressParam(p);
      if (!(p.message instanceof Uint8Array)) throw new InvalidParamsError("message", "expected bytes");
      // A copy of just the message: the decoded bytes may be a view into the whole frame buffer.
      return { signature: await keyStore.sign(address, { kind: "message", message: p.message.slice() }) };
    },
    "sign.typedData": async (params) => {
      const p = paramsRecord(params);
      const address = addressParam(p);
      const chainId = p.chainId === undefined ? undefined : quantity(p.chainId, "chainId");
      const parsed = parseTypedData(p.typedData);
      if (chainId !== undefined && parsed.chainId !== undefined && parsed.chainId !== chainId) {
        throw new PolicyRefusedError("typed-data-chain", `typed data domain chainId ${parsed.chainId} does not match chain ${chainId}`);
      }
      return { signature: await keyStore.sign(address, { kind: "typedData", typedData: parsed.typedData }) };
    },
    "sign.authorization": async (params) => {
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
      return keyStore.sign(address, { kind: "authorization", authorization: { chainId: Number(chainId), address: delegate, nonce: Number(nonce) } });
    },
  };
}

const quantity = (value: unknown, field: string) => parseQuantity(value, field);
