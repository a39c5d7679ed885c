import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";
import type { ErrorObject, Response } from "../protocol/messages.ts";
import { MAX_PARAMS_DEPTH, nestingDepth } from "../protocol/nesting_depth.ts";
import { isRecord } from "../protocol/params/is_record.ts";

/** A method handler: validated params in, CBOR-encodable result out; throws a BaseError subclass on refusal. */
export type MethodHandler = (params: unknown) => unknown | Promise<unknown>;
export type MethodTable = Readonly<Record<string, MethodHandler>>;

export type HandleRequestOptions = {
  /** An error that is not one of ours (answered INTERNAL with no detail): for the log. */
  onInternalError?: (error: unknown, method: string) => void;
  /** A request refused with one of the stable codes (bad params, policy, no key…): for the log; no message, no params. */
  onRefusal?: (method: string, code: string) => void;
};

/**
 * Turns one decoded frame into one response. Never throws: a request that is not `{ id, method, params }`
 * gets BAD_FRAME, an unknown method UNKNOWN_METHOD, params nested deeper than MAX_PARAMS_DEPTH INVALID_PARAMS
 * (before any handler sees them), and an error that is not one of ours becomes INTERNAL with no detail (so
 * nothing secret can leak through a message).
 *
 * @example
 * ```ts
 * const response = await handleRequest(methods, decoded);
 * ```
 */
export async function handleRequest(
  methods: MethodTable,
  message: unknown,
  options: HandleRequestOptions = {},
): Promise<Response> {
  const id = isRecord(message) && isId(message.id) ? message.id : null;
  if (id === null || !isRecord(message) || typeof message.method !== "string") {
    return { id, error: { code: ErrorCode.badFrame, message: "Invalid request: expected a map { id: uint, method: text, params? }" } };
  }
  const method = message.method;
  const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!handler) {
    return { id, error: { code: ErrorCode.unknownMethod, message: `Unknown method ${JSON.stringify(method.slice(0, 64))}` } };
  }
  if (nestingDepth(message.params, MAX_PARAMS_DEPTH) > MAX_PARAMS_DEPTH) {
    return { id, error: { code: ErrorCode.invalidParams, message: `Invalid params: nested deeper than ${MAX_PARAMS_DEPTH} levels` } };
  }
  try {
    return { id, result: await handler(message.params) };
  } catch (error) {
    const response = { id, error: toErrorObject(error, method, options.onInternalError) };
    if (response.error.code !== ErrorCode.internal) options.onRefusal?.(method, response.error.code);
    return response;
  }
}

function toErrorObject(error: unknown, method: string, onInternal?: (error: unknown, method: string) => void): ErrorObject {
  if (error instanceof BaseError) {
    return error.data === undefined
      ? { code: error.code, message: error.shortMessage }
      : { code: error.code, message: error.shortMessage, data: error.data };
  }
  onInternal?.(error, method);
  return { code: ErrorCode.internal, message: `Internal error in ${method}` };
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
