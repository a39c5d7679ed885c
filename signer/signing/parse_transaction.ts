import type { TransactionSerializable } from "viem";
import type { AuthorizationParams, Hex, TransactionParams } from "../protocol/messages.ts";
import { describeValue as describe } from "../protocol/params/describe_value.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";
import { isRecord } from "../protocol/params/is_record.ts";
import { parseAddress } from "../protocol/params/parse_address.ts";
import { parseHexBytes } from "../protocol/params/parse_hex_bytes.ts";
import { parseQuantity } from "../protocol/params/parse_quantity.ts";
import { MissingChainIdError } from "./signing_errors.ts";

const TYPES = { "0x0": "legacy", "0x1": "eip2930", "0x2": "eip1559", "0x3": "eip4844", "0x4": "eip7702" } as const;
type TxType = (typeof TYPES)[keyof typeof TYPES];

/**
 * Validates a complete transaction in JSON-RPC form (hex quantities) and converts it to viem's serializable
 * shape. Nothing is filled in here: the signer signs exactly the fields it is given, and refuses a transaction
 * that would be unsafe or invalid to sign (no chain id, missing fees, conflicting `data`/`input`).
 *
 * @example
 * ```ts
 * const tx = parseTransaction({ type: "0x2", chainId: "0x1", nonce: "0x0", gas: "0x5208",
 *   maxFeePerGas: "0x3b9aca00", maxPriorityFeePerGas: "0x1", to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "0x1" });
 * ```
 */
export function parseTransaction(params: unknown): TransactionSerializable {
  if (!isRecord(params)) throw new InvalidParamsError("transaction", "expected an object");
  const p = params as TransactionParams;
  const type = txType(p);
  if (p.chainId === undefined) throw new MissingChainIdError();
  const chainId = Number(quantity(p.chainId, "chainId"));
  if (chainId < 1 || !Number.isSafeInteger(chainId)) throw new InvalidParamsError("chainId", "must be a positive integer");

  const data = p.data === undefined || p.data === null ? undefined : bytes(p.data, "data");
  const input = p.input === undefined || p.input === null ? undefined : bytes(p.input, "input");
  if (data !== undefined && input !== undefined && data.toLowerCase() !== input.toLowerCase()) {
    throw new InvalidParamsError("input", "data and input are both given and differ");
  }
  const base = {
    chainId,
    nonce: Number(required(p.nonce, "nonce", (v) => quantity(v, "nonce"))),
    // A uint64 (execution-API schema, EIP-1559's `gas_limit`): a larger one no chain accepts.
    gas: required(p.gas, "gas", (v) => parseQuantity(v, "gas", { bits: 64 })),
    to: p.to === undefined || p.to === null ? null : parseAddress(p.to, "to"),
    value: p.value === undefined ? 0n : quantity(p.value, "value"),
    data: data ?? input,
  };
  if (base.nonce > Number.MAX_SAFE_INTEGER) throw new InvalidParamsError("nonce", "too large");
  const accessList = p.accessList === undefined ? undefined : parseAccessList(p.accessList);

  if (type === "legacy" || type === "eip2930") {
    if (p.maxFeePerGas !== undefined || p.maxPriorityFeePerGas !== undefined) {
      throw new InvalidParamsError("maxFeePerGas", `not allowed in a ${type} transaction`);
    }
    const gasPrice = required(p.gasPrice, "gasPrice", (v) => quantity(v, "gasPrice"));
    return type === "legacy"
      ? { ...base, type, gasPrice }
      : { ...base, type, gasPrice, accessList: accessList ?? [] };
  }
  if (p.gasPrice !== undefined) throw new InvalidParamsError("gasPrice", `not allowed in a ${type} transaction`);
  const maxFeePerGas = required(p.maxFeePerGas, "maxFeePerGas", (v) => quantity(v, "maxFeePerGas"));
  const maxPriorityFeePerGas = required(p.maxPriorityFeePerGas, "maxPriorityFeePerGas", (v) => quantity(v, "maxPriorityFeePerGas"));
  if (maxPriorityFeePerGas > maxFeePerGas) {
    throw new InvalidParamsError("maxPriorityFeePerGas", "exceeds maxFeePerGas");
  }
  const fees = { ...base, maxFeePerGas, maxPriorityFeePerGas, accessList: accessList ?? [] };
  if (type === "eip1559") return { ...fees, type };
  if (type === "eip4844") {
    if (fees.to === null) throw new InvalidParamsError("to", "a blob transaction cannot create a contract (EIP-4844)");
    const hashes = required(p.blobVersionedHashes, "blobVersionedHashes", (v) => list(v, "blobVersionedHashes").map((h, i) => versionedHash(h, `blobVersionedHashes[${i}]`)));
    if (hashes.length === 0) throw new InvalidParamsError("blobVersionedHashes", "at least one hash is required");
    const maxFeePerBlobGas = required(p.maxFeePerBlobGas, "maxFeePerBlobGas", (v) => quantity(v, "maxFeePerBlobGas"));
    return { ...fees, to: fees.to, type, blobVersionedHashes: hashes, maxFeePerBlobGas };
  }
  if (fees.to === null) throw new InvalidParamsError("to", "a set-code transaction cannot create a contract (EIP-7702)");
  const authorizationList = required(p.authorizationList, "authorizationList", (v) => list(v, "authorizationList").map(parseAuthorization));
  if (authorizationList.length === 0) throw new InvalidParamsError("authorizationList", "at least one authorization is required");
  return { ...fees, to: fees.to, type, authorizationList };
}

function txType(p: TransactionParams): TxType {
  if (p.type !== undefined) {
    const key = typeof p.type === "string" ? p.type.toLowerCase().replace(/^0x0+(?=.)/, "0x") : undefined;
    // Own keys only: "constructor" or "__proto__" must not find Object.prototype's.
    const t = key !== undefined && Object.hasOwn(TYPES, key) ? TYPES[key as keyof typeof TYPES] : undefined;
    if (!t) throw new InvalidParamsError("type", `unsupported transaction type ${describe(p.type)} (expected "0x0"…"0x4")`);
    return t;
  }
  if (p.authorizationList !== undefined) return "eip7702";
  if (p.blobVersionedHashes !== undefined) return "eip4844";
  if (p.maxFeePerGas !== undefined || p.maxPriorityFeePerGas !== undefined) return "eip1559";
  if (p.accessList !== undefined && p.gasPrice !== undefined) return "eip2930";
  if (p.gasPrice !== undefined) return "legacy";
  return "eip1559";
}

function parseAccessList(value: unknown) {
  return list(value, "accessList").map((entry, i) => {
    if (!isRecord(entry)) throw new InvalidParamsError(`accessList[${i}]`, "expected { address, storageKeys }");
    return {
      address: parseAddress(entry.address, `accessList[${i}].address`),
      storageKeys: list(entry.storageKeys ?? [], `accessList[${i}].storageKeys`).map((k, j) => hash32(k, `accessList[${i}].storageKeys[${j}]`)),
    };
  });
}

function parseAuthorization(value: unknown, i: number) {
  const field = `authorizationList[${i}]`;
  if (!isRecord(value)) throw new InvalidParamsError(field, "expected a signed authorization object");
  const a = value as AuthorizationParams;
  const yParity = Number(quantity(a.yParity, `${field}.yParity`));
  if (yParity > 1) throw new InvalidParamsError(`${field}.yParity`, "must be 0 or 1");
  const chainId = quantity(a.chainId, `${field}.chainId`);
  const nonce = quantity(a.nonce, `${field}.nonce`);
  if (chainId > MAX_SAFE) throw new InvalidParamsError(`${field}.chainId`, "too large");
  if (nonce > MAX_SAFE) throw new InvalidParamsError(`${field}.nonce`, "too large");
  return {
    chainId: Number(chainId),
    address: parseAddress(a.address, `${field}.address`),
    nonce: Number(nonce),
    yParity,
    r: word(a.r, `${field}.r`),
    s: word(a.s, `${field}.s`),
  };
}

/** JavaScript numbers (what viem takes for chain ids and nonces) are exact up to 2^53. */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A signature scalar: clients send r and s of authorizations as quantities without leading zeros (viem's
 * formatter, alloy) or as 32-byte hex; both become 32-byte hex.
 */
function word(value: unknown, field: string): Hex {
  if (typeof value === "string" && /^0x[0-9a-f]{1,64}$/i.test(value)) return `0x${value.slice(2).toLowerCase().padStart(64, "0")}`;
  throw new InvalidParamsError(field, `expected a 32-byte scalar in hex, got ${describe(value)}`);
}

function required<T>(value: unknown, field: string, parse: (v: unknown) => T): T {
  if (value === undefined || value === null) throw new InvalidParamsError(field, "is required");
  return parse(value);
}

const quantity = (value: unknown, field: string) => parseQuantity(value, field);
const bytes = (value: unknown, field: string) => parseHexBytes(value, field);
const hash32 = (value: unknown, field: string) => parseHexBytes(value, field, { length: 32 });

/** EIP-4844 §"Parameters": a versioned hash starts with VERSIONED_HASH_VERSION_KZG = 0x01. */
function versionedHash(value: unknown, field: string): Hex {
  const hash = hash32(value, field);
  if (!hash.startsWith("0x01")) throw new InvalidParamsError(field, "expected a versioned hash starting with 0x01 (EIP-4844)");
  return hash;
}

function list(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw new InvalidParamsError(field, "expected an array");
  return value;
}

