import { createServer, type IncomingMessage, type Server } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";

/** pass: forward; throttle: 400 ThrottlingException (AWS JSON protocol); unavailable: 503 ServiceUnavailable. */
export type AwsMiddleboxMode = "pass" | "throttle" | "unavailable";

export type AwsMiddlebox = {
  /** Plain HTTP on loopback: give it as the client's endpoint. */
  readonly url: string;
  setMode(mode: AwsMiddleboxMode): void;
  /** Requests seen, and how many of them were refused by the mode. */
  readonly counts: { requests: number; refused: number };
  close(): Promise<void>;
};

/**
 * An HTTP front for an AWS JSON stand-in (HTTPS, local CA): forwards each request as is (headers, so SigV4 still
 * verifies) or answers it the way AWS does when throttling (`400` with `x-amzn-ErrorType: ThrottlingException`)
 * or unavailable (`503`). The SDK's retry logic sees the same bytes it would see from AWS.
 *
 * @example
 * ```ts
 * const box = await startAwsMiddlebox(sm.url, sm.caPem);
 * box.setMode("throttle");
 * ```
 */
export async function startAwsMiddlebox(targetUrl: string, caPem: string): Promise<AwsMiddlebox> {
  const target = new URL(targetUrl);
  let mode: AwsMiddleboxMode = "pass";
  const counts = { requests: 0, refused: 0 };
  const server: Server = createServer((req: IncomingMessage, res) => {
    counts.requests++;
    if (mode !== "pass") {
      counts.refused++;
      req.resume();
      const [status, type, message] = mode === "throttle" ? [400, "ThrottlingException", "Rate exceeded"] : [503, "ServiceUnavailableException", "Service unavailable"];
      res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": type });
      return void res.end(JSON.stringify({ __type: type, message }));
    }
    const out = httpsRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, ca: caPem }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    out.on("error", () => {
      res.writeHead(503, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "ServiceUnavailableException" });
      res.end(JSON.stringify({ __type: "ServiceUnavailableException", message: "stand-in unreachable" }));
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setMode: (next) => void (mode = next),
    counts,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
