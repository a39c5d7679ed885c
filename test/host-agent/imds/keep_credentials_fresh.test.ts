import { test } from "uvu";
import * as assert from "uvu/assert";
import { createImdsClient } from "../../../host-agent/imds/create_imds_client.ts";
import { keepCredentialsFresh } from "../../../host-agent/imds/keep_credentials_fresh.ts";
import type { ImdsCredentials } from "../../../host-agent/imds/parse_imds_credentials.ts";
import { planCredentialRefresh } from "../../../host-agent/imds/plan_credential_refresh.ts";
import { startImdsStandIn } from "../../../local/imds/start_imds_stand_in_node.ts";

// The refresh loop with a controlled clock and a recorded sleep: each `sleep` call advances the clock by the
// delay asked for, so a whole credential lifetime passes in a few iterations without waiting.
function virtualTime(start: number) {
  let now = start;
  const delays: number[] = [];
  return {
    clock: () => now,
    delays,
    sleep: async (ms: number) => {
      delays.push(ms);
      now += ms;
      await new Promise((r) => setImmediate(r));
    },
  };
}

test("planCredentialRefresh: 15 min before expiry, at most hourly, never more often than every 10 s", () => {
  const now = Date.parse("2026-11-26T00:00:00Z");
  assert.is(planCredentialRefresh(new Date(now + 6 * 3600_000), now), 3600_000);
  assert.is(planCredentialRefresh(new Date(now + 20 * 60_000), now), 5 * 60_000);
  assert.is(planCredentialRefresh(new Date(now + 60_000), now), 10_000);
  assert.is(planCredentialRefresh(new Date(now - 60_000), now), 10_000);
  assert.throws(() => planCredentialRefresh(new Date("nope"), now), /valid Date/);
});

test("credentials are pushed at once, then again ahead of each Expiration as IMDS rotates them", async () => {
  const time = virtualTime(Date.parse("2026-11-26T00:00:00Z"));
  const imds = await startImdsStandIn({ clock: time.clock, credentialLifetimeMs: 3600_000, reissueBeforeMs: 20 * 60_000 });
  const controller = new AbortController();
  const pushed: ImdsCredentials[] = [];
  const source = keepCredentialsFresh({
    imds: createImdsClient({ endpoint: imds.url, clock: time.clock }),
    signal: controller.signal,
    clock: time.clock,
    sleep: time.sleep,
    onCredentials: (c) => {
      pushed.push(c);
      if (pushed.length === 4) controller.abort();
    },
  });
  const first = await source.ready();
  await source.stopped;
  await imds.close();
  assert.is(first.accessKeyId, pushed[0]!.accessKeyId);
  // 1 h credentials, refreshed 15 min ahead (45 min after issue), reissued by IMDS 20 min ahead: every fetch
  // after the first brings a new set, and none is ever pushed after it expired.
  assert.is(new Set(pushed.map((c) => c.accessKeyId)).size, 4);
  assert.equal(time.delays.slice(0, 3), [45 * 60_000, 45 * 60_000, 45 * 60_000]);
  for (let i = 1; i < pushed.length; i++) assert.ok(pushed[i]!.expiration > pushed[i - 1]!.expiration);
});

test("expired credentials from IMDS are not pushed; the loop retries with backoff and recovers", async () => {
  const time = virtualTime(Date.parse("2026-11-26T00:00:00Z"));
  const imds = await startImdsStandIn({ clock: time.clock });
  imds.setServeExpired(true);
  const controller = new AbortController();
  const pushed: ImdsCredentials[] = [];
  const events: Record<string, unknown>[] = [];
  const source = keepCredentialsFresh({
    imds: createImdsClient({ endpoint: imds.url, clock: time.clock }),
    signal: controller.signal,
    clock: time.clock,
    sleep: async (ms) => {
      await time.sleep(ms);
      if (time.delays.length === 3) imds.setServeExpired(false);
    },
    onCredentials: (c) => {
      pushed.push(c);
      controller.abort();
    },
    log: (e) => events.push(e),
  });
  assert.is(source.current(), undefined);
  await source.stopped;
  await imds.close();
  const failures = events.filter((e) => e.event === "credentials-failed");
  assert.is(failures.length, 3);
  assert.match(String(failures[0]!.error), /IMDS_CREDENTIALS_EXPIRED/);
  assert.equal(time.delays.slice(0, 3), [1000, 2000, 4000]);
  assert.is(pushed.length, 1);
  assert.ok(pushed[0]!.expiration.getTime() > time.clock());
});

test("ready() rejects when the loop stops before any credentials arrived", async () => {
  const controller = new AbortController();
  const source = keepCredentialsFresh({
    imds: { credentials: () => Promise.reject(new Error("no IMDS")) },
    signal: controller.signal,
    sleep: async () => controller.abort(),
  });
  const waiting = source.ready();
  await source.stopped;
  await waiting.then(() => assert.unreachable("resolved"), (e) => assert.match((e as Error).message, /stopped/));
});

test.run();
