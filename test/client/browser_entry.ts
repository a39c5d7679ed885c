// Bundled by browser.test.ts and run in headless Chromium: what a dapp's page does with the attested client. The
// test's page sets `window.config` before this runs and reads the JSON this writes into <pre id="out">.
import { createPublicClient, createWalletClient, type Hex, recoverMessageAddress } from "viem";
import { foundry } from "viem/chains";
import { attestedTransport, verifySigner } from "../../client/mod.ts";

type Config = { url: string; pcr0: string; root: string; account: Hex; to: Hex };
const config = (globalThis as unknown as { config: Config }).config;
const out = (result: unknown) => {
  document.getElementById("out")!.textContent = JSON.stringify(result);
};

async function main(): Promise<Record<string, unknown>> {
  const offset = Number(await (await fetch("/now")).text()) - Date.now(); // the test server's clock (see browser.test.ts)
  const options = { pcrs: { 0: config.pcr0 }, root: config.root, clock: () => Date.now() + offset };
  const verified = await verifySigner(config.url, options);
  const wallet = createWalletClient({ account: config.account, chain: foundry, transport: attestedTransport(config.url, options) });
  const reader = createPublicClient({ chain: foundry, transport: attestedTransport(config.url, options) });
  const hash = await wallet.sendTransaction({ to: config.to, value: 1000n });
  const receipt = await reader.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  const signature = await wallet.signMessage({ message: "hello from Chromium" });
  const refused = await createWalletClient({
    account: config.account,
    chain: foundry,
    transport: attestedTransport(config.url, { ...options, pcrs: { 0: "ab".repeat(48) } }),
  }).signMessage({ message: "never signed" }).then(() => "signed", (error: { code?: string; name?: string }) => `${error.name} ${error.code}`);
  return {
    accounts: verified.accounts,
    status: receipt.status,
    from: receipt.from,
    signer: await recoverMessageAddress({ message: "hello from Chromium", signature }),
    refused,
  };
}

main().then(out, (error: Error & { code?: string }) => out({ error: `${error.name}: ${error.code ?? ""} ${error.message}` }));
