import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { recoverMessageAddress, type Hex } from "viem";
import { call } from "../helpers/rpc.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { startProxyFixture, type ProxyFixture } from "../rpc-proxy/proxy_fixture.ts";

// A real browser (Debian's headless Chromium) loads a page from another site that tries what the proxy's browser
// checks are for: a text/plain POST (no CORS preflight) to make a keyless signer send, and a JSON request through a
// DNS-rebound name. Chromium resolves both foreign names to 127.0.0.1 (--host-resolver-rules), as a rebinding DNS
// server would. Neither sends nor signs; a JSON request to the proxy's real address from an allowed origin does.

const CHROMIUM = "/usr/bin/chromium";
const HELLO = "0x68656c6c6f";

/** `closed` and `open` are the proxies' URLs with the account each signer holds; `rebound` reaches `open`. */
function page(closed: [string, string], open: [string, string], rebound: string): string {
  const send = (account: string) => JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendTransaction", params: [{ from: account, to: account, value: "0x1" }] });
  const sign = (account: string) => JSON.stringify({ jsonrpc: "2.0", id: 2, method: "personal_sign", params: [HELLO, account] });
  const proxies = { closed: closed[0], open: open[0], rebound };
  return `<!doctype html><html><body><pre id="out">running</pre><script>
const results = {};
async function attempt(name, url, init) {
  try {
    const response = await fetch(url, init);
    results[name] = init.mode === "no-cors" ? "opaque" : response.status + " " + (await response.text());
  } catch (error) {
    results[name] = "blocked: " + error.message;
  }
}
(async () => {
  await attempt("textPlainToKeylessSigner", ${JSON.stringify(proxies.closed)}, { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: ${JSON.stringify(send(closed[1]))} });
  await attempt("formToKeylessSigner", ${JSON.stringify(proxies.closed)}, { method: "POST", mode: "no-cors", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: ${JSON.stringify(send(closed[1]))} });
  await attempt("jsonToKeylessSigner", ${JSON.stringify(proxies.closed)}, { method: "POST", headers: { "Content-Type": "application/json" }, body: ${JSON.stringify(sign(closed[1]))} });
  await attempt("reboundTextPlain", ${JSON.stringify(proxies.rebound)}, { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: ${JSON.stringify(send(open[1]))} });
  await attempt("reboundJson", ${JSON.stringify(proxies.rebound)}, { method: "POST", headers: { "Content-Type": "application/json" }, body: ${JSON.stringify(sign(open[1]))} });
  await attempt("allowedJson", ${JSON.stringify(proxies.open)}, { method: "POST", headers: { "Content-Type": "application/json" }, body: ${JSON.stringify(sign(open[1]))} });
  document.getElementById("out").textContent = JSON.stringify(results);
})();
</script></body></html>`;
}

async function signCalls(f: ProxyFixture): Promise<number> {
  const text = await (await fetch(`${f.url}/metrics`)).text();
  return text.split("\n").filter((l) => l.startsWith('rpc_proxy_signer_round_trip_seconds_count{method="sign.')).reduce((n, l) => n + Number(l.split(" ").pop()), 0);
}

test("a page from another site cannot make the signer send or sign: text/plain, forms and a DNS-rebound Host all fail in Chromium", async () => {
  if (!existsSync(CHROMIUM)) {
    // CI installs Chromium (.ci/run); elsewhere say what is missing rather than fail on a machine without it.
    if (process.env.CI) assert.unreachable(`${CHROMIUM} is missing (apt-get install chromium)`);
    console.warn(`skipped: ${CHROMIUM} is missing (apt-get install chromium)`);
    return;
  }
  // `closed`: the defaults (no API keys, CORS off). `open`: an operator who allowed every origin, so only the Host
  // check stands between a rebinding page and the signer.
  const closed = await startProxyFixture();
  const open = await startProxyFixture({ corsOrigins: ["*"] });
  const dir = await tempDir("chromium-");
  let server: Server | undefined;
  try {
    const html = page([`${closed.url}/`, closed.account], [`${open.url}/`, open.account], `http://attacker.rebind.example:${new URL(open.url).port}/`);
    server = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(html));
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const pageUrl = `http://evil.example:${(server.address() as AddressInfo).port}/`;
    const nonces = await Promise.all([closed, open].map((f) => call(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"])));
    const signed = await Promise.all([closed, open].map(signCalls));

    const { stdout } = await promisify(execFile)(CHROMIUM, [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", `--user-data-dir=${dir.path}`,
      "--host-resolver-rules=MAP evil.example 127.0.0.1, MAP attacker.rebind.example 127.0.0.1",
      "--virtual-time-budget=20000", "--dump-dom", pageUrl,
    ], { timeout: 90_000, maxBuffer: 1 << 20 });
    const out = /<pre id="out">([\s\S]*?)<\/pre>/.exec(stdout)?.[1];
    assert.ok(out && out !== "running", `the page did not finish: ${stdout.slice(0, 300)}`);
    const results = JSON.parse(out.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">")) as Record<string, string>;

    // The control: the same browser and page reach a proxy that allows them, so what fails below fails for the checks.
    const [status, body] = [results.allowedJson!.slice(0, 3), results.allowedJson!.slice(4)];
    assert.is(status, "200", results.allowedJson);
    assert.is(await recoverMessageAddress({ message: { raw: HELLO }, signature: JSON.parse(body).result as Hex }), open.account);
    for (const name of ["jsonToKeylessSigner", "reboundJson"]) assert.match(results[name]!, /^blocked/, `${name}: ${results[name]}`);

    assert.is(await call(closed.upstreamUrl, "eth_getTransactionCount", [closed.account, "pending"]), nonces[0], "the keyless signer sent");
    assert.is(await call(open.upstreamUrl, "eth_getTransactionCount", [open.account, "pending"]), nonces[1], "the rebound page sent");
    assert.is(await signCalls(closed), signed[0], "the keyless signer signed for the page");
    assert.is(await signCalls(open), signed[1]! + 1, "only the allowed request was signed");
    const outcomes = [...closed.lines, ...open.lines].map((l) => JSON.parse(l).outcome);
    for (const reason of ["forbidden_origin", "forbidden_host"]) assert.ok(outcomes.includes(reason), `no ${reason} in the proxies' logs`);
  } finally {
    server?.close();
    await Promise.all([closed.stop(), open.stop()]);
    await dir.remove();
  }
});

test.run();
