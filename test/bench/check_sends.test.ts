import { test } from "uvu";
import * as assert from "uvu/assert";
import { createWalletClient, defineChain, http, keccak256, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { startAnvil } from "../../local/mod_node.ts";
import { checkSends, rawsFromNode } from "../../bench/check_sends.ts";

const to: Hex = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

test("rawsFromNode: the signed bytes of a library's unmined transactions, serialized again from the node's copy, in nonce order", async () => {
  // Anvil without mining: what viem sends stays in its pool, as the transactions Anvil's automine leaves queued do.
  const anvil = await startAnvil({ args: ["--no-mining"] });
  try {
    const rpc = async (method: string, params: unknown[]) => (await (await fetch(anvil.url, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }), headers: { "content-type": "application/json" } })).json()).result;
    const account = privateKeyToAccount(generatePrivateKey());
    await rpc("anvil_setBalance", [account.address, "0xd3c21bcecceda1000000"]);
    const chain = defineChain({ id: 31337, name: "anvil", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [anvil.url] } } });
    const wallet = createWalletClient({ account, chain, transport: http(anvil.url) });
    const hashes = [
      await wallet.sendTransaction({ to, value: 1n, nonce: 0 }),
      await wallet.sendTransaction({ to, value: 2n, nonce: 1, type: "legacy", gasPrice: 3_000_000_000n }),
      await wallet.sendTransaction({ to, value: 3n, nonce: 2, type: "eip2930", gasPrice: 3_000_000_000n, accessList: [{ address: to, storageKeys: [] }] }),
    ];
    const raws = await rawsFromNode(anvil.url, [hashes[2]!, hashes[0]!, hashes[1]!]);
    assert.equal(raws.map((raw) => keccak256(raw)), hashes);
    // Those sent again are the same transactions: dropped, sent again, mined by hand, no nonce gap.
    const checked = await checkSends(anvil.url, { address: account.address, firstNonce: 0, hashes }, { timeoutMs: 5000 });
    assert.equal({ mined: checked.mined, nonceGaps: checked.nonceGaps }, { mined: 3, nonceGaps: 0 });
  } finally {
    await anvil.service.stop();
  }
});

test.run();
