import type { Nsm, NsmAttestOptions, NsmDescription, NsmKind, NsmRequest, NsmResponse } from "./nsm.ts";
import { NSM_REQUEST_MAX_SIZE } from "./nsm.ts";
import { decodeNsmResponse } from "./decode_nsm_response.ts";
import { encodeNsmRequest } from "./encode_nsm_request.ts";
import { NsmError } from "./nsm_error.ts";

/** Sends one encoded NSM request and returns the encoded response (an ioctl, or a simulated device). */
export type NsmTransport = (request: Uint8Array) => Promise<Uint8Array> | Uint8Array;

/**
 * Builds an `Nsm` over a transport that carries CBOR requests and responses (DESIGN §5). Both the device and
 * the simulated NSM use it, so they share the codec and the error handling: `{ "Error": "<Code>" }` becomes an
 * `NsmError` with that `reason`; a request over 0x1000 bytes fails with `InputTooLarge` before it is sent, as
 * the AWS driver does.
 *
 * @example
 * ```ts
 * const nsm = createNsmClient((request) => nsmIoctl(fd, request, syscalls), { kind: "device" });
 * ```
 */
export function createNsmClient(transport: NsmTransport, options: { kind: NsmKind }): Nsm {
  if (typeof transport !== "function") throw new TypeError("Cannot create NSM client: transport must be a function");
  if (options?.kind !== "device" && options?.kind !== "simulated") throw new TypeError("Cannot create NSM client: unknown kind");

  async function call<T extends NsmResponse["type"]>(request: NsmRequest, expected: T): Promise<Extract<NsmResponse, { type: T }>> {
    const encoded = encodeNsmRequest(request);
    if (encoded.byteLength > NSM_REQUEST_MAX_SIZE) {
      throw new NsmError("InputTooLarge", `request is ${encoded.byteLength} bytes, more than ${NSM_REQUEST_MAX_SIZE}`);
    }
    const response = decodeNsmResponse(await transport(encoded));
    if (response.type === "Error") throw new NsmError(response.code, `${request.type} failed`);
    if (response.type !== expected) throw new NsmError("InvalidResponse", `${request.type} was answered with ${response.type}`);
    return response as Extract<NsmResponse, { type: T }>;
  }

  return {
    kind: options.kind,
    async describe(): Promise<NsmDescription> {
      return (await call({ type: "DescribeNSM" }, "DescribeNSM")).description;
    },
    async getRandom(): Promise<Uint8Array> {
      const { random } = await call({ type: "GetRandom" }, "GetRandom");
      if (random.byteLength === 0) throw new NsmError("InvalidResponse", "GetRandom returned no bytes");
      return random;
    },
    async describePcr(index: number) {
      if (!Number.isInteger(index) || index < 0 || index > 0xffff) throw new RangeError(`Cannot describe PCR ${index}: not a u16`);
      const { lock, data } = await call({ type: "DescribePCR", index }, "DescribePCR");
      return { lock, data };
    },
    async attest(attest: NsmAttestOptions = {}): Promise<Uint8Array> {
      const field = (name: keyof NsmAttestOptions): Uint8Array | null => {
        const value = attest[name];
        if (value === undefined) return null;
        if (!(value instanceof Uint8Array)) throw new TypeError(`Cannot attest: ${name} must be a Uint8Array`);
        return value;
      };
      const request = { type: "Attestation", userData: field("userData"), nonce: field("nonce"), publicKey: field("publicKey") } as const;
      return (await call(request, "Attestation")).document;
    },
  };
}
