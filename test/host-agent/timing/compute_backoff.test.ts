import { test } from "uvu";
import * as assert from "uvu/assert";
import { computeBackoff } from "../../../host-agent/timing/compute_backoff.ts";

test("computeBackoff doubles from initialMs and stops at maxMs", () => {
  assert.equal([1, 2, 3, 4, 5, 6, 7, 8].map((n) => computeBackoff(n)), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
  assert.is(computeBackoff(1000), 60000);
  assert.equal([1, 2, 3].map((n) => computeBackoff(n, { initialMs: 10, maxMs: 25, factor: 3 })), [10, 25, 25]);
});

test("computeBackoff refuses attempts below 1 and inconsistent bounds", () => {
  assert.throws(() => computeBackoff(0), RangeError);
  assert.throws(() => computeBackoff(1.5), RangeError);
  assert.throws(() => computeBackoff(1, { initialMs: 10, maxMs: 5 }), RangeError);
  assert.throws(() => computeBackoff(1, { factor: 0.5 }), RangeError);
});

test.run();
