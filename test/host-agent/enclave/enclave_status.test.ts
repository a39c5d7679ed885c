import { test } from "uvu";
import * as assert from "uvu/assert";
import { isEnclaveReady, type EnclaveStatus } from "../../../host-agent/enclave/enclave_status.ts";

// The status file is the contract with whoever decides readiness. A host-agent that hung or was killed stops
// refreshing it; its last "ready" must then read as not ready, after three refresh periods.
const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const status = (ageMs: number, patch: Partial<EnclaveStatus> = {}): EnclaveStatus => ({
  service: "host-agent",
  state: "ready",
  ready: true,
  since: new Date(NOW - 3_600_000).toISOString(),
  updatedAt: new Date(NOW - ageMs).toISOString(),
  refreshEveryMs: 5000,
  enclave: { id: "i-0-enc0", cid: 16, name: "nitro-signer", startedAt: new Date(NOW - 3_600_000).toISOString() },
  restarts: 0,
  keys: { accounts: 1, failed: [], at: new Date(NOW - 60_000).toISOString() },
  credentialsExpireAt: null,
  lastError: null,
  ...patch,
});

test("isEnclaveReady() accepts a ready status refreshed within three refresh periods", () => {
  assert.ok(isEnclaveReady(status(0), NOW));
  assert.ok(isEnclaveReady(status(14_999), NOW));
  assert.ok(isEnclaveReady(status(15_000), NOW), "exactly three periods");
});

test("isEnclaveReady() rejects a stale status file: ready, but not refreshed for more than three refresh periods", () => {
  assert.not.ok(isEnclaveReady(status(15_001), NOW));
  assert.not.ok(isEnclaveReady(status(3_600_000), NOW), "a host-agent dead for an hour");
  assert.not.ok(isEnclaveReady(status(60_000, { refreshEveryMs: 10_000 }), NOW));
  assert.ok(isEnclaveReady(status(60_000, { refreshEveryMs: 20_000 }), NOW), "the writer's own period counts");
});

test("isEnclaveReady() rejects a fresh status that is not ready, and anything that is not a status", () => {
  assert.not.ok(isEnclaveReady(status(0, { ready: false, state: "loading-keys" }), NOW));
  for (const bad of [null, undefined, "ready", 1, [], {}, { ...status(0), updatedAt: "yesterday" }, { ...status(0), updatedAt: undefined }, { ...status(0), refreshEveryMs: "5000" }, { ...status(0), ready: "true" }]) {
    assert.not.ok(isEnclaveReady(bad, NOW), JSON.stringify(bad));
  }
});

test.run();
