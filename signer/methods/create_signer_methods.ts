import type { KeyStore } from "../keys/key_store.ts";
import type { SignerMethods } from "../protocol/messages.ts";
import type { MethodHandler } from "../server/handle_request.ts";
import { parseTransaction } from "../signing/parse_transaction.ts";
import { signTransaction } from "../signing/sign_transaction.ts";
import { InvalidParamsError } from "../signing/signing_errors.ts";

export const SIGNER_NAME = "nitro-eth-signer";
export const SIGNER_VERSION = "0.1.0";

export type CreateSignerMethodsOptions = {
  keyStore: KeyStore;
  /** Fills a buffer with cryptographically secure random bytes (WebCrypto by default). */
  random?: (bytes: Uint8Array) => Uint8Array;
  nsm?: "device" | "simulated" | "none";
};

type Handlers = { [M in keyof SignerMethods]: (params: unknown) => SignerMethods[M]["result"] | Promise<SignerMethods[M]["result"]> };

/**
 * The signer's method table (DESIGN §4): every method validates its params first and answers with a
 * CBOR-encodable result, or throws a BaseError subclass with a stable code.
 *
 * @example
 * ```ts
 * const methods = createSignerMethods({ keyStore: createKeyStore() });
 * await methods["keys.generate"]({});
 * ```
 */
export function createSignerMethods(options: CreateSignerMethodsOptions): Handlers & Record<string, MethodHandler> {
  const { keyStore } = options;
  const random = options.random ?? ((bytes: Uint8Array) => crypto.getRandomValues(bytes));
  return {
    describe: () => ({
      name: SIGNER_NAME,
      version: SIGNER_VERSION,
      nsm: options.nsm ?? "none",
      accounts: keyStore.list().length,
      workers: 1,
    }),
    "keys.generate": (params) => {
      const label = optionalLabel(params);
      const address = keyStore.add(random(new Uint8Array(32)), label === undefined ? {} : { label });
      return { address };
    },
    "keys.list": () => keyStore.list(),
    "sign.transaction": (params) => {
      const { address, transaction } = record(params, "params") as { address?: unknown; transaction?: unknown };
      if (typeof address !== "string") throw new InvalidParamsError("address", "expected a 0x address");
      const key = keyStore.get(address);
      return signTransaction(key.privateKey, parseTransaction(transaction));
    },
  };
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InvalidParamsError(field, "expected a map");
  return value as Record<string, unknown>;
}

function optionalLabel(params: unknown): string | undefined {
  if (params === undefined || params === null) return undefined;
  const { label } = record(params, "params");
  if (label === undefined) return undefined;
  if (typeof label !== "string" || label.length > 64) throw new InvalidParamsError("label", "expected text of at most 64 characters");
  return label;
}
