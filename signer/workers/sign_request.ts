import type { TypedDataDefinition } from "viem";
import type { AuthorizationParams, Hex } from "../protocol/messages.ts";
import { parseTransaction } from "../signing/parse_transaction.ts";
import type { SignOptions } from "../signing/curve.ts";
import { signAuthorization, type AuthorizationRequest } from "../signing/sign_authorization.ts";
import { signMessage } from "../signing/sign_message.ts";
import { signTransaction, type SignTransactionReturnType } from "../signing/sign_transaction.ts";
import { signTypedData } from "../signing/sign_typed_data.ts";

/**
 * One thing to sign, as it crosses from the dispatching thread to a signing worker (structured clone: plain
 * data only). `transaction` carries the request's JSON-RPC-form transaction, still unvalidated: it is parsed
 * where it is signed, so that work is spread over the workers too.
 */
export type SigningRequest =
  | { kind: "transaction"; transaction: unknown }
  | { kind: "message"; message: Uint8Array }
  | { kind: "typedData"; typedData: TypedDataDefinition }
  | { kind: "authorization"; authorization: AuthorizationRequest };

/** What each kind of request signs to. */
export type SigningResults = {
  transaction: SignTransactionReturnType;
  message: Hex;
  typedData: Hex;
  authorization: AuthorizationParams;
};

export type SigningResult<R extends SigningRequest> = SigningResults[R["kind"]];

/**
 * Signs one request with a private key by calling the pure signing function for its kind (after
 * `parseTransaction` for a transaction). Throws what they throw: InvalidParamsError, MissingChainIdError,
 * RangeError. `options.curve` is the curve to sign with (see `signDigest`). The same function runs in a signing worker and, with no workers, in the calling thread, so the
 * results and errors are the same either way.
 *
 * @example
 * ```ts
 * const { raw, hash } = signRequest(privateKey, { kind: "transaction", transaction: { type: "0x2", chainId: "0x1", … } });
 * ```
 */
export function signRequest<R extends SigningRequest>(privateKey: Uint8Array, request: R, options: SignOptions = {}): SigningResult<R> {
  return sign(privateKey, request, options) as SigningResult<R>;
}

function sign(privateKey: Uint8Array, request: SigningRequest, options: SignOptions): SigningResults[keyof SigningResults] {
  switch (request.kind) {
    case "transaction":
      return signTransaction(privateKey, parseTransaction(request.transaction), options);
    case "message":
      return signMessage(privateKey, request.message, options);
    case "typedData":
      return signTypedData(privateKey, request.typedData, options);
    case "authorization":
      return signAuthorization(privateKey, request.authorization, options);
    default:
      throw new TypeError(`Cannot sign: unknown request kind ${JSON.stringify((request as { kind?: unknown }).kind)}`);
  }
}
