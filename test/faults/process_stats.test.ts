import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { connect, type Socket } from "node:net";
import { establishedPeers } from "./process_stats.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("establishedPeers: the connections a listener's kernel completed, not those it dropped with its accept queue full", async () => {
  // A listener with an accept queue of one that never accepts (its thread blocked): the kernel completes the
  // first connections into the queue; the rest it leaves half-open (their last ACK, or their SYN, dropped),
  // while the clients' sockets stay open.
  const child = spawn(process.execPath, ["-e", `
    const server = require("node:net").createServer();
    server.listen({ host: "127.0.0.1", port: 0, backlog: 1 }, () => {
      console.log(server.address().port);
      setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000), 50);
    });
  `], { stdio: ["ignore", "pipe", "inherit"] });
  const clients: Socket[] = [];
  try {
    const port = await new Promise<number>((resolve) => child.stdout!.once("data", (d) => resolve(Number(String(d).trim()))));
    await sleep(300);
    clients.push(...await Promise.all(Array.from({ length: 8 }, () => new Promise<Socket>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.on("error", () => {});
      socket.once("connect", () => resolve(socket));
      setTimeout(() => resolve(socket), 1000); // a SYN the full queue dropped is still being retried
    }))));
    const peers = await establishedPeers(port);
    assert.ok(peers, "/proc/net/tcp is readable");
    const open = clients.filter((s) => !s.destroyed && s.localPort !== undefined);
    const completed = open.filter((s) => peers!.has(s.localPort!));
    assert.ok(completed.length >= 1 && completed.length <= 3, `the accept queue's connections: ${completed.length}`);
    assert.ok(open.length - completed.length >= 4, `connections open on the client's side that the listener's kernel did not complete: ${open.length - completed.length}`);
    assert.is((await establishedPeers(1))?.size ?? 0, 0, "nothing listens on port 1");
  } finally {
    for (const s of clients) s.destroy();
    child.kill("SIGKILL");
  }
});

test.run();
