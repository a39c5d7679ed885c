import { test } from "uvu";
import * as assert from "uvu/assert";
import { MAX_PARAMS_DEPTH, nestingDepth } from "../../../signer/protocol/nesting_depth.ts";

test("nestingDepth() counts arrays and objects; scalars and byte strings are 0", () => {
  assert.is(nestingDepth(1, 64), 0);
  assert.is(nestingDepth(null, 64), 0);
  assert.is(nestingDepth(new Uint8Array(1_000_000), 64), 0);
  assert.is(nestingDepth([], 64), 1);
  assert.is(nestingDepth({ a: [1, { b: new Uint8Array(4) }] }, 64), 3);
});

test("nestingDepth() measures any depth without recursion, and stops just past max", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.is(nestingDepth(deep, MAX_PARAMS_DEPTH), MAX_PARAMS_DEPTH + 1);
  assert.is(nestingDepth(deep, 200_000), 100_000);
});

test.run();
