import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Hex } from "viem";
import type { StartLocalStackOptions } from "../../local/start_local_stack_node.ts";
import { AttestationError } from "../../client/mod.ts";
import { call } from "../helpers/rpc.ts";
import { startTestStack } from "../helpers/test_stack.ts";

/** The local stack (`npm start`'s) with what a client test needs: the simulated root, PCR0, an account. */
export type ClientStack = Awaited<ReturnType<typeof startTestStack>> & {
  readonly account: Hex;
  readonly pcr0: string;
  readonly rootPem: string;
  /** The signer's sign.* round trips so far, from the proxy's /metrics. */
  signCalls(): Promise<number>;
  /** The account's pending nonce at the node (what a sent transaction moves). */
  nonce(account?: Hex): Promise<string>;
  /** Both of the above, to compare before and after. */
  snapshot(): Promise<{ signCalls: number; nonce: string }>;
};

export async function startClientStack(options: StartLocalStackOptions = {}): Promise<ClientStack> {
  const stack = await startTestStack(options);
  const info = JSON.parse(await readFile(join(stack.stateDir, "stack.json"), "utf8")) as { pcr0: string; attestationRootFile: string };
  const rootPem = await readFile(info.attestationRootFile, "utf8");
  const account = stack.accounts[0]!;
  const signCalls = async () => {
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    return text.split("\n").filter((l) => l.startsWith('rpc_proxy_signer_round_trip_seconds_count{method="sign.')).reduce((n, l) => n + Number(l.split(" ").pop()), 0);
  };
  const nonce = (who: Hex = account) => call<string>(stack.upstreamUrl, "eth_getTransactionCount", [who, "pending"]);
  return {
    ...stack,
    account,
    pcr0: info.pcr0,
    rootPem,
    signCalls,
    nonce,
    snapshot: async () => ({ signCalls: await signCalls(), nonce: await nonce() }),
  };
}

type Call = { id?: unknown; method?: string; params?: unknown[] };
type Reply = { id?: unknown; result?: unknown; error?: unknown };

/** Rewrites one JSON-RPC reply on its way back to the client (return it unchanged to pass it). */
export type Rewrite = (call: Call, reply: Reply) => Reply | Promise<Reply>;

/**
 * A middlebox on 127.0.0.1 between a client and the proxy: forwards each POST (single or batch) and lets
 * `rewrite` change each reply, as a TLS-terminating load balancer or a compromised host could.
 */
export async function startMiddlebox(target: string, rewrite: Rewrite): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const forwarded = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body });
      const text = await forwarded.text();
      const parsedCall = JSON.parse(body) as Call | Call[];
      let reply = JSON.parse(text) as Reply | Reply[];
      const calls = Array.isArray(parsedCall) ? parsedCall : [parsedCall];
      const replies = Array.isArray(reply) ? reply : [reply];
      const rewritten = await Promise.all(replies.map((r) => rewrite(calls.find((c) => c.id === r.id) ?? {}, r)));
      reply = Array.isArray(reply) ? rewritten : rewritten[0]!;
      res.writeHead(forwarded.status, { "content-type": "application/json", "access-control-allow-origin": "*" }).end(JSON.stringify(reply));
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** The AttestationError in `error` or its causes (viem wraps sendTransaction's errors), or undefined. */
export function attestationErrorOf(error: unknown): AttestationError | undefined {
  for (let e = error, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AttestationError) return e;
  }
  return undefined;
}

/** Runs `action` and returns the AttestationError it threw; fails the test if it resolved or threw another. */
export async function refusal(action: () => Promise<unknown>, what: string): Promise<AttestationError> {
  let thrown: unknown;
  try {
    await action();
  } catch (error) {
    thrown = error;
  }
  const found = attestationErrorOf(thrown);
  if (!found) throw new Error(`${what}: expected an AttestationError, got ${thrown === undefined ? "success" : String(thrown)}`);
  return found;
}

export { mail } from "../helpers/ether_mail.ts";

export const recipient: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

/** A replaying middlebox: the first signer_attestation answer it sees is the one it returns from then on. */
export function replayAttestation(): Rewrite {
  let recorded: unknown;
  return (call, reply) => {
    if (call.method !== "signer_attestation" || reply.error) return reply;
    recorded ??= reply.result;
    return { ...reply, result: recorded };
  };
}
