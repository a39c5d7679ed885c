import { JsonRpcProvider, NonceManager, Wallet } from "ethers";
import { createNonceManager, createWalletClient, defineChain, http, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { getTransactionCount } from "viem/actions";

export type LibrarySendOptions = {
  /** The node (or a counting middlebox in front of it). */
  url: string;
  chainId: number;
  /** The sending account's key (one account for every caller). */
  key: Hex;
  to: Hex;
  /** Concurrent callers, each sending its next transaction when the previous one is answered. */
  clients: number;
  count: number;
};

export type LibrarySendResult = { perSecond: number; hashes: Hex[] };

/**
 * What a team would do instead of the signer (issue 14): keep the key in the application and send `{ to, value }`
 * with viem's local account (`privateKeyToAccount(key, { nonceManager })` and `createWalletClient`), which fills
 * the transaction itself (eth_fillTransaction where the node has it, else estimates, fee and nonce reads), signs
 * in-process and sends the raw transaction; `clients` concurrent callers from one account, `count` sends in all.
 *
 * @example
 * ```ts
 * const { perSecond, hashes } = await driveViemLocalSends({ url, chainId: 31337, key, to, clients: 32, count: 2000 });
 * ```
 */
export async function driveViemLocalSends(options: LibrarySendOptions): Promise<LibrarySendResult> {
  const chain = defineChain({ id: options.chainId, name: "bench", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [options.url] } } });
  // viem's own nonce manager (what `nonceManager` is), fresh for each run: the pending count, then its own deltas.
  const nonceManager = createNonceManager({
    source: { get: ({ address, client }) => getTransactionCount(client, { address, blockTag: "pending" }), set() {} },
  });
  const client = createWalletClient({ account: privateKeyToAccount(options.key, { nonceManager }), chain, transport: http(options.url, { timeout: 60_000, retryCount: 0 }) });
  return drive(options, (i) => client.sendTransaction({ to: options.to, value: BigInt(i + 1) }));
}

/**
 * The same with ethers v6: a `Wallet` wrapped in ethers' `NonceManager` on a `JsonRpcProvider` with a static
 * network (report only).
 *
 * @example
 * ```ts
 * const { perSecond } = await driveEthersWalletSends({ url, chainId: 31337, key, to, clients: 32, count: 2000 });
 * ```
 */
export async function driveEthersWalletSends(options: LibrarySendOptions): Promise<LibrarySendResult> {
  const provider = new JsonRpcProvider(options.url, options.chainId, { staticNetwork: true });
  const wallet = new NonceManager(new Wallet(options.key, provider));
  try {
    return await drive(options, async (i) => (await wallet.sendTransaction({ to: options.to, value: BigInt(i + 1) })).hash as Hex);
  } finally {
    provider.destroy();
  }
}

async function drive(options: LibrarySendOptions, send: (i: number) => Promise<Hex>): Promise<LibrarySendResult> {
  const hashes: Hex[] = new Array(options.count);
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: options.clients }, async () => {
    while (next < options.count) {
      const i = next++;
      hashes[i] = await send(i);
    }
  }));
  return { perSecond: options.count / ((performance.now() - started) / 1000), hashes };
}
