/**
 * The NSM boundary (DESIGN §5): the Nitro Secure Module as the enclave sees it. One implementation per file:
 * `nsm_device_deno.ts` (the real `/dev/nsm`) and `nsm_simulated.ts` (local stack and tests). Both speak the same
 * CBOR messages through `createNsmClient()` and pass the same contract test.
 */

/** Which implementation answered; a simulated NSM's documents are signed by a simulated PKI, worthless to KMS. */
export type NsmKind = "device" | "simulated";

/** The answer to `DescribeNSM` (aws-nitro-enclaves-nsm-api `Response::DescribeNSM`), in camelCase. */
export type NsmDescription = {
  versionMajor: number;
  versionMinor: number;
  versionPatch: number;
  moduleId: string;
  maxPcrs: number;
  lockedPcrs: number[];
  digest: "SHA256" | "SHA384" | "SHA512";
};

/** The optional fields of an `Attestation` request; absent fields are sent as CBOR null. */
export type NsmAttestOptions = { userData?: Uint8Array; nonce?: Uint8Array; publicKey?: Uint8Array };

/**
 * The Nitro Secure Module.
 *
 * @example
 * ```ts
 * const document = await nsm.attest({ publicKey: spkiDer, nonce });
 * const { data: pcr0 } = await nsm.describePcr(0);
 * ```
 */
export type Nsm = {
  readonly kind: NsmKind;
  describe(): Promise<NsmDescription>;
  /** Entropy from the NSM (the device returns up to 256 bytes per call). */
  getRandom(): Promise<Uint8Array>;
  describePcr(index: number): Promise<{ lock: boolean; data: Uint8Array }>;
  /** An attestation document: the bytes of an untagged COSE_Sign1 (RFC 8152 §4.2) signed ES384. */
  attest(options?: NsmAttestOptions): Promise<Uint8Array /* COSE_Sign1 document bytes */>;
};

/** The error codes of the NSM (aws-nitro-enclaves-nsm-api `ErrorCode`, without `Success`). */
export type NsmErrorCode =
  | "InvalidArgument"
  | "InvalidIndex"
  | "InvalidResponse"
  | "ReadOnlyIndex"
  | "InvalidOperation"
  | "BufferTooSmall"
  | "InputTooLarge"
  | "InternalError";

/** An NSM request, as `encodeNsmRequest()` takes it and `decodeNsmRequest()` returns it. */
export type NsmRequest =
  | { type: "GetRandom" }
  | { type: "DescribeNSM" }
  | { type: "DescribePCR"; index: number }
  | { type: "Attestation"; userData: Uint8Array | null; nonce: Uint8Array | null; publicKey: Uint8Array | null };

/** An NSM response, as `encodeNsmResponse()` takes it and `decodeNsmResponse()` returns it. */
export type NsmResponse =
  | { type: "GetRandom"; random: Uint8Array }
  | { type: "DescribeNSM"; description: NsmDescription }
  | { type: "DescribePCR"; lock: boolean; data: Uint8Array }
  | { type: "Attestation"; document: Uint8Array }
  | { type: "Error"; code: NsmErrorCode };

/** Limits of the NSM driver (Linux drivers/misc/nsm.c, aws-nitro-enclaves-nsm-api src/driver). */
export const NSM_REQUEST_MAX_SIZE = 0x1000;
export const NSM_RESPONSE_MAX_SIZE = 0x3000;
