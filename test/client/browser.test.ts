import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { type ClientStack, recipient, startClientStack } from "./client_fixture.ts";

// The attested client bundled for a browser (esbuild, as a dapp would) and run in Debian's headless Chromium against
// the local stack: it verifies the signer, sends one transaction that is mined and signs a message, and a client
// expecting another PCR0 is refused. The page's origin is one the proxy allows (--cors-origins).
const CHROMIUM = "/usr/bin/chromium";
const entry = new URL("./browser_entry.ts", import.meta.url).pathname;
const root = new URL("../../", import.meta.url).pathname;

/**
 * esbuild, for a browser: ESM, minified. The signer's door (signer/mod.ts) also re-exports the enclave's signing
 * code, whose WebAssembly secp256k1 (tiny-secp256k1) instantiates itself on import; the client never signs, so the
 * bundle aliases that package to an empty module (docs/client.md gives the same recipe for other bundlers).
 */
async function bundle(entry: string | { contents: string }): Promise<Uint8Array> {
  const result = await build({
    ...(typeof entry === "string" ? { entryPoints: [entry] } : { stdin: { contents: entry.contents, loader: "ts", resolveDir: root } }),
    bundle: true, minify: true, format: "esm", platform: "browser", target: "es2022", write: false,
    logLevel: "silent",
    plugins: [{
      name: "no-enclave-wasm",
      setup(b) {
        b.onResolve({ filter: /^tiny-secp256k1$/ }, () => ({ path: "tiny-secp256k1", namespace: "empty" }));
        b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "module.exports = {};", loader: "js" }));
      },
    }],
  });
  return result.outputFiles[0]!.contents;
}

test("the client's bundle size for a browser (minified, gzip), reported", async () => {
  const clientDir = "./client/";
  const sizes: Record<string, string> = {};
  for (const [name, source] of [
    ["attestedTransport + viem wallet client", `import { attestedTransport } from "${clientDir}mod.ts"; import { createWalletClient } from "viem"; export const x = [attestedTransport, createWalletClient];`],
    ["viem wallet client alone (for comparison)", `import { createWalletClient, http } from "viem"; export const x = [createWalletClient, http];`],
    ["attestedProvider (ethers)", `import { attestedProvider } from "${clientDir}mod.ts"; export const x = attestedProvider;`],
    ["all of client/mod.ts", `export * from "${clientDir}mod.ts";`],
  ]) {
    const bytes = await bundle({ contents: source! });
    sizes[name!] = `${(bytes.byteLength / 1024).toFixed(0)} KiB minified, ${(gzipSync(bytes).byteLength / 1024).toFixed(0)} KiB gzip`;
  }
  console.log(JSON.stringify(sizes, null, 2));
});

test("in headless Chromium the bundled client verifies the local stack, sends a transaction that is mined, and refuses a wrong PCR0", async () => {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) assert.unreachable(`${CHROMIUM} is missing (apt-get install chromium)`);
    console.warn(`skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
    return;
  }
  const code = new TextDecoder().decode(await bundle(entry));
  let html = "";
  // GET /now: the server's time, which the page takes as its clock (the client's `clock` option), so the simulated
  // NSM's fresh leaf certificate is valid on it even if the browser's clock differs.
  const server: Server = createServer((req, res) => req.url === "/now"
    ? res.writeHead(200, { "content-type": "text/plain" }).end(String(Date.now()))
    : res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stack: ClientStack | undefined;
  try {
    stack = await startClientStack({ proxy: { corsOrigins: [origin] } });
    const config = { url: stack.url, pcr0: stack.pcr0, root: stack.rootPem, account: stack.account, to: recipient };
    html = `<!doctype html><html><body><pre id="out">running</pre><script>window.config = ${JSON.stringify(config)};` +
      `window.onerror = (m, s, l, c, e) => { document.getElementById("out").textContent = JSON.stringify({ error: String(e ?? m) }); };</script>` +
      `<script type="module">${code.replaceAll("</script", "<\\/script")}</script></body></html>`;
    const before = await stack.snapshot();
    // Driven through the DevTools protocol with the machine's real clock: under --dump-dom's virtual-time budget,
    // virtual time ran ahead while a request was on the wire and fired viem's request timeout (seen on a fresh clone).
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    let out: string;
    try {
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => document.getElementById("out")?.textContent !== "running", undefined, { timeout: 90_000 });
      out = (await page.textContent("#out")) ?? "";
    } finally {
      await browser.close();
    }
    const result = JSON.parse(out);
    assert.is(result.error, undefined, result.error);
    assert.equal(result.accounts, [stack.account]);
    assert.is(result.status, "success");
    assert.is(result.from.toLowerCase(), stack.account.toLowerCase());
    assert.is(result.signer, stack.account);
    assert.is(result.refused, "Client.AttestationError pcr");
    const after = await stack.snapshot();
    assert.is(Number(after.nonce), Number(before.nonce) + 1, "one transaction sent");
    assert.is(after.signCalls, before.signCalls + 2, "the transaction and the message signed; the refused client nothing");
  } finally {
    server.close();
    await stack?.stop();
  }
});

test.run();
