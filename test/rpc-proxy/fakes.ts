import { hexToBytes, type Hex } from "viem";
import { createKeyStore } from "../../signer/keys/key_store.ts";
import { signingMethods } from "../../signer/methods/signing_methods.ts";
import { BaseError } from "../../signer/protocol/base_error.ts";
import { SignerRequestError, SignerUnavailableError, type SignerClient } from "../../signer/protocol/create_signer_client.ts";
import { UpstreamRpcError } from "../../rpc-proxy/jsonrpc/rpc_error.ts";
import { UpstreamUnavailableError, type Upstream } from "../../rpc-proxy/upstream/create_upstream.ts";
import { createPolicyEngine } from "../../signer/policy/create_policy_engine.ts";

/** Anvil's second dev key: a published test key, never a real one. */
export const TEST_KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/**
 * An in-process signer with the real signing methods over an in-memory key store, speaking the client's
 * contract (errors as SignerRequestError with the signer's code). `down` makes it unreachable.
 */
export function fakeSigner(keys: Hex[] = [TEST_KEY]): SignerClient & { down: boolean; calls: string[] } {
  const keyStore = createKeyStore();
  for (const key of keys) keyStore.add(hexToBytes(key));
  const methods: Record<string, (params: unknown) => unknown> = {
    ...signingMethods({ keyStore, policy: createPolicyEngine() }),
    describe: () => ({ name: "fake", version: "0", nsm: "simulated", accounts: keyStore.list().length, workers: 0 }),
    "keys.list": () => keyStore.list(),
    attest: (params) => ({ document: new Uint8Array([0xd2, 1, 2, ...((params as { nonce?: Uint8Array }).nonce ?? [])]) }),
  };
  const state = {
    down: false,
    calls: [] as string[],
    async call(method: string, params?: unknown) {
      state.calls.push(method);
      if (state.down) throw new SignerUnavailableError("Cannot reach the signer");
      const handler = methods[method];
      if (!handler) throw new SignerRequestError("UNKNOWN_METHOD", `Unknown method ${method}`);
      try {
        return await handler(params);
      } catch (error) {
        if (error instanceof BaseError) throw new SignerRequestError(error.code, error.shortMessage, error.data);
        throw error;
      }
    },
    request: ((method: string, params: unknown) => state.call(method, params)) as SignerClient["request"],
    close() {},
  };
  return state;
}

/**
 * A node answering from a table of methods (a function gets the params; a value is returned as is); a
 * missing method is -32601, `down` makes it unreachable. Records every call.
 */
export function fakeUpstream(table: Record<string, unknown | ((params: unknown[]) => unknown)>): Upstream & { down: boolean; calls: { method: string; params: unknown[] }[] } {
  const state = {
    down: false,
    calls: [] as { method: string; params: unknown[] }[],
    displayUrl: "http://fake-node",
    async request<T>(method: string, params: unknown[] = []): Promise<T> {
      state.calls.push({ method, params });
      if (state.down) throw new UpstreamUnavailableError("Cannot reach the node at http://fake-node");
      if (!Object.hasOwn(table, method)) throw new UpstreamRpcError({ code: -32601, message: `Method ${method} not found` });
      const entry = table[method];
      return (typeof entry === "function" ? await (entry as (p: unknown[]) => unknown)(params) : entry) as T;
    },
    async batch(calls: readonly (readonly [string, unknown[]])[]) {
      return Promise.all(calls.map(([method, params]) => state.request(method, params).then(
        (result) => ({ ok: true as const, result }),
        (error: UpstreamRpcError | UpstreamUnavailableError) => ({ ok: false as const, error }),
      )));
    },
    async forward(body: string): Promise<string> {
      const request = JSON.parse(body) as { id: unknown; method: string; params?: unknown[] };
      try {
        const result = await state.request(request.method, request.params ?? []);
        return JSON.stringify({ jsonrpc: "2.0", id: request.id, result });
      } catch (error) {
        if (error instanceof UpstreamRpcError) return JSON.stringify({ jsonrpc: "2.0", id: request.id, error: error.error });
        throw error;
      }
    },
    async close() {},
  };
  return state;
}

/** A chain like Anvil's: EIP-1559, chain 31337, 1 gwei base fee and tip, 21000 gas. */
export const ANVIL_LIKE = {
  eth_chainId: "0x7a69",
  eth_getBlockByNumber: { number: "0x1", baseFeePerGas: "0x3b9aca00" },
  eth_maxPriorityFeePerGas: "0x3b9aca00",
  eth_gasPrice: "0x77359400",
  eth_estimateGas: "0x5208",
  eth_blobBaseFee: "0x1",
  eth_getTransactionCount: "0x0",
  eth_blockNumber: "0x1",
  eth_getCode: "0x",
};
