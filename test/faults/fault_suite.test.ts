import { test } from "uvu";
import * as assert from "uvu/assert";
import type { FaultReport } from "./run_fault_case.ts";
import { faultCases, runFaults } from "./run_faults.ts";

// The fault suite's short form (issue 16; `npm run test:faults` runs the full one): the node stopped and started
// again, broadcasts acknowledged and then lost (a middlebox, a node restarted without its pool), the node slowed,
// hostile clients, and the signer killed under its supervisor (the host-agent daemon) — each under concurrent
// eth_sendTransaction from viem clients against the rpc-proxy process, the real Deno signer and a real Anvil.
// Every "must be 0" figure and each case's own behavioural checks are asserted; timings are reported by
// `npm run test:faults`, never asserted here.
const cases = faultCases({ short: true });
// Run once, on the first test's demand (not in test.before: uvu 0.5 reports a suite whose before hook throws as
// passed); an environment that cannot start fails every test with its error.
let running: Promise<FaultReport[]> | undefined;
const reportsOnce = () => (running ??= runFaults(cases));

for (const [i, c] of [...cases.stack, ...cases.supervised].entries()) {
  test(`fault: ${c.name} — nothing unanswered, lost, duplicated or left as a nonce gap`, async () => {
    const report = (await reportsOnce())[i]!;
    assert.is(report.name, c.name);
    const failed = report.checks.filter((x) => !x.ok).map((x) => x.what);
    assert.equal(failed, [], JSON.stringify({ ...report, checks: undefined }));
    assert.is(report.unanswered, 0);
    assert.is(report.badAnswer, 0);
    assert.is(report.ackedNeverMined, 0);
    assert.is(report.duplicates, 0);
    assert.is(report.nonceGaps, 0);
  });
}

test.run();
