import { test } from "uvu";
import * as assert from "uvu/assert";
import type { StoredWindow, WindowStore } from "../../../rpc-proxy/fleet/create_window_store.ts";
import { FleetStateUnavailableError } from "../../../rpc-proxy/fleet/fleet_state_errors.ts";
import { withFleetWindows } from "../../../rpc-proxy/fleet/with_fleet_windows.ts";
import { SignerRequestError, type SignerClient } from "../../../signer/protocol/create_signer_client.ts";

// The wrapper's decisions in-process, around a scripted signer and store (the real signer and dynalite are in
// fleet_windows.test.ts): what is sent, what is written, and when a result is released.
const ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const record = (n: number) => new Uint8Array([n]);

function scripted(answers: ((params: any) => unknown)[]) {
  const sent: any[] = [];
  const signer: SignerClient = {
    request: (method, params) => signer.call(method, params) as never,
    async call(method, params) {
      sent.push({ method, params });
      const next = answers.shift();
      if (!next) throw new Error("unexpected call");
      return next(params);
    },
    close() {},
  };
  return { signer, sent };
}

function store(initial: StoredWindow | null, writes: (boolean | Error | (() => boolean))[] = []) {
  let item = initial;
  const written: { next: StoredWindow; presented: number | null }[] = [];
  const windows: WindowStore = {
    async read() {
      return item;
    },
    async write(_address, next, presented) {
      const next_ = writes.shift() ?? true;
      if (next_ instanceof Error) throw next_;
      const outcome = typeof next_ === "function" ? next_() : next_;
      written.push({ next, presented });
      if (outcome) item = next;
      return outcome;
    },
  };
  return { windows, written, set: (next: StoredWindow | null) => void (item = next) };
}

const required = () => {
  throw new SignerRequestError("WINDOW_STATE_REQUIRED", "window state required", { address: ADDRESS });
};
const signed = (version: number) => () => ({ signature: "0x01", window: { version, record: record(version), expiresAt: 100 } });
const options = { sleep: async () => {} };

test("withFleetWindows: learns the account needs its window, sends the stored record, stores the new one, then releases the result without it", async () => {
  const { signer, sent } = scripted([required, signed(3), signed(4)]);
  const s = store({ version: 2, record: record(2), expiresAt: 50 });
  const wrapped = withFleetWindows(signer, { windows: s.windows, ...options });
  assert.equal(await wrapped.request("sign.message", { address: ADDRESS, message: new Uint8Array([1]) }), { signature: "0x01" });
  assert.is(sent[0].params.window, undefined);
  assert.equal(sent[1].params.window, { record: record(2) });
  assert.equal(s.written, [{ next: { version: 3, record: record(3), expiresAt: 100 }, presented: 2 }]);
  await wrapped.request("sign.message", { address: ADDRESS.toLowerCase() as `0x${string}`, message: new Uint8Array([1]) });
  assert.equal(sent[2].params.window, { record: record(3) }, "remembered: the record comes with the first ask");
});

test("withFleetWindows: a lost write discards the signature and asks again on a fresh read; null when the table has none", async () => {
  const { signer, sent } = scripted([required, signed(1), () => ({ signature: "0x02", window: { version: 6, record: record(6), expiresAt: 1 } })]);
  const s = store(null, [
    () => {
      s.set({ version: 5, record: record(5), expiresAt: 9 }); // another instance wrote first
      return false;
    },
  ]);
  const wrapped = withFleetWindows(signer, { windows: s.windows, ...options });
  assert.equal(await wrapped.request("sign.message", { address: ADDRESS, message: new Uint8Array([1]) }), { signature: "0x02" });
  assert.equal(sent[1].params.window, { record: null });
  assert.equal(sent[2].params.window, { record: record(5) });
  assert.equal(s.written.map((w) => w.presented), [null, 5]);
});

test("withFleetWindows: the table failing after the signer signed releases nothing (FLEET_STATE_UNAVAILABLE)", async () => {
  const { signer } = scripted([required, signed(1)]);
  const s = store(null, [new FleetStateUnavailableError("nitro-signer-state", "PutItem", new Error("down"))]);
  const wrapped = withFleetWindows(signer, { windows: s.windows, ...options });
  const error = await wrapped.request("sign.message", { address: ADDRESS, message: new Uint8Array([1]) }).then(() => undefined, (e) => e);
  assert.is(error?.code, "FLEET_STATE_UNAVAILABLE");
});

test("withFleetWindows: WINDOW_STATE_STALE stores the newer record the signer names over the presented one, then asks again", async () => {
  const stale = () => {
    throw new SignerRequestError("WINDOW_STATE_STALE", "stale", { address: ADDRESS, version: 1, newest: 4, record: record(4), expiresAt: 70 });
  };
  const { signer, sent } = scripted([required, stale, signed(5)]);
  const s = store({ version: 1, record: record(1), expiresAt: 10 });
  const wrapped = withFleetWindows(signer, { windows: s.windows, ...options });
  await wrapped.request("sign.message", { address: ADDRESS, message: new Uint8Array([1]) });
  assert.equal(s.written, [
    { next: { version: 4, record: record(4), expiresAt: 70 }, presented: 1 },
    { next: { version: 5, record: record(5), expiresAt: 100 }, presented: 4 },
  ]);
  assert.equal(sent[2].params.window, { record: record(4) });
});

test("withFleetWindows: policy.check carries the window (inside params.params' account) and writes nothing; other methods pass through", async () => {
  const { signer, sent } = scripted([required, () => ({ allowed: true }), () => ({ name: "signer" })]);
  const s = store({ version: 2, record: record(2), expiresAt: 50 });
  const wrapped = withFleetWindows(signer, { windows: s.windows, ...options });
  assert.equal(await wrapped.request("policy.check", { method: "sign.message", params: { address: ADDRESS, message: "0x01" } }), { allowed: true });
  assert.equal(sent[1].params.window, { record: record(2) });
  assert.equal(s.written, []);
  await wrapped.request("describe", {});
  assert.equal(sent[2].params, {});
});

test.run();
