import type { TypedDataDefinition } from "viem";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";
import { isRecord } from "../protocol/params/is_record.ts";

export type ParseTypedDataReturnType = {
  typedData: TypedDataDefinition;
  /** `domain.chainId` when the domain has one (EIP-712 §"Definition of domainSeparator"), else undefined. */
  chainId: bigint | undefined;
};

/** Deeper nesting than this is refused: no real EIP-712 message comes near it, and it bounds recursion. */
const MAX_DEPTH = 32;
const TYPE_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Validates typed data in the JSON form of `eth_signTypedData_v4` (EIP-712 §"Specification of the
 * eth_signTypedData JSON RPC": `{ types, primaryType, domain, message }`) and returns it in viem's shape with
 * the domain's chain id. Refuses with InvalidParamsError: a missing or malformed part, a primaryType that is
 * not a defined type, a non-integer or unsafe number (integers above 2^53 must be strings so that nothing is
 * rounded before signing), and nesting deeper than 32. Values are checked against their types when hashed.
 *
 * @example
 * ```ts
 * const { typedData, chainId } = parseTypedData({ types, primaryType: "Mail", domain, message });
 * ```
 */
export function parseTypedData(value: unknown): ParseTypedDataReturnType {
  if (!isRecord(value)) throw new InvalidParamsError("typedData", "expected an object { types, primaryType, domain, message }");
  const { types, primaryType, domain = {}, message } = value;
  if (!isRecord(types)) throw new InvalidParamsError("typedData.types", "expected an object of struct definitions");
  for (const [name, fields] of Object.entries(types)) {
    if (!TYPE_NAME.test(name)) throw new InvalidParamsError("typedData.types", `invalid type name ${describe(name)}`);
    if (!Array.isArray(fields)) throw new InvalidParamsError(`typedData.types.${name}`, "expected an array of { name, type }");
    for (const field of fields) {
      if (!isRecord(field) || typeof field.name !== "string" || typeof field.type !== "string" || field.type.length === 0) {
        throw new InvalidParamsError(`typedData.types.${name}`, "expected an array of { name, type }");
      }
    }
  }
  if (typeof primaryType !== "string" || !(primaryType === "EIP712Domain" || Object.hasOwn(types, primaryType))) {
    throw new InvalidParamsError("typedData.primaryType", "must name one of typedData.types");
  }
  if (!isRecord(domain)) throw new InvalidParamsError("typedData.domain", "expected an object");
  if (primaryType !== "EIP712Domain" && !isRecord(message)) throw new InvalidParamsError("typedData.message", "expected an object");
  checkValues(domain, "typedData.domain", 0);
  if (message !== undefined) checkValues(message, "typedData.message", 0);
  const structs = types as Record<string, { name: string; type: string }[]>;
  if (Object.hasOwn(structs, "EIP712Domain")) checkStruct(structs, "EIP712Domain", domain, "typedData.domain", 0);
  if (primaryType !== "EIP712Domain") checkStruct(structs, primaryType, message, "typedData.message", 0);

  let chainId: bigint | undefined;
  if (domain.chainId !== undefined && domain.chainId !== null) {
    chainId = integer(domain.chainId, "typedData.domain.chainId");
  }
  const typedData = { types, primaryType, domain, message: message ?? {} } as unknown as TypedDataDefinition;
  return { typedData, chainId };
}

function checkValues(value: unknown, field: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new InvalidParamsError(field, `nested deeper than ${MAX_DEPTH}`);
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new InvalidParamsError(field, "numbers must be safe integers; give larger or fractional values as strings");
  }
  if (Array.isArray(value)) value.forEach((item, i) => checkValues(item, `${field}[${i}]`, depth + 1));
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) checkValues(item, `${field}.${key}`, depth + 1);
}

/**
 * JSON kinds per EIP-712 type (§"Definition of encodeData"): strings for string/address/bytes, booleans for
 * bool, numbers or strings for integers, arrays (of the declared length) for arrays, objects for structs.
 * viem checks ranges and sizes when hashing but would hash a number given for a string; this refuses it.
 */
function checkStruct(types: Record<string, { name: string; type: string }[]>, type: string, value: unknown, field: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new InvalidParamsError(field, `nested deeper than ${MAX_DEPTH}`);
  const array = /^(.*)\[(\d*)\]$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) throw new InvalidParamsError(field, `expected an array for ${type}`);
    if (array[2] !== "" && value.length !== Number(array[2])) throw new InvalidParamsError(field, `expected ${array[2]} items for ${type}`);
    value.forEach((item, i) => checkStruct(types, array[1]!, item, `${field}[${i}]`, depth + 1));
    return;
  }
  if (Object.hasOwn(types, type)) {
    if (!isRecord(value)) throw new InvalidParamsError(field, `expected an object for ${type}`);
    for (const member of types[type]!) checkStruct(types, member.type, value[member.name], `${field}.${member.name}`, depth + 1);
    return;
  }
  const ok = type === "string" || type === "address" || /^bytes\d*$/.test(type)
    ? typeof value === "string"
    : type === "bool"
    ? typeof value === "boolean"
    : /^u?int\d*$/.test(type)
    ? typeof value === "string" || typeof value === "number" || typeof value === "bigint"
    : true; // An unknown type: the hash refuses it.
  if (!ok) throw new InvalidParamsError(field, `expected a value of type ${type}, got ${describe(value)}`);
}

function integer(value: unknown, field: string): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "bigint") return value;
  if (typeof value === "string" && /^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(value)) return BigInt(value);
  throw new InvalidParamsError(field, `expected an integer, got ${describe(value)}`);
}

function describe(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : typeof value;
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
