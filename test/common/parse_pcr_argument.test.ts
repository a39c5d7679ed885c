import { test } from "uvu";
import * as assert from "uvu/assert";
import { parsePcrArgument } from "../../common/parse_pcr_argument.ts";

const SHA384 = "Ab".repeat(48);

test("parsePcrArgument() takes N=HEX with or without 0x and gives the value in lowercase", () => {
  assert.equal(parsePcrArgument(`0=${SHA384}`), { index: 0, hex: "ab".repeat(48) });
  assert.equal(parsePcrArgument(`31=0x${SHA384}`), { index: 31, hex: "ab".repeat(48) });
  assert.equal(parsePcrArgument(`8=${"cd".repeat(32)}`, [32, 48, 64]), { index: 8, hex: "cd".repeat(32) });
});

test("parsePcrArgument() refuses another length, index or shape, naming the argument and what it expected", () => {
  assert.throws(() => parsePcrArgument("0=abc"), /^Invalid --pcr 0=abc: expected N=HEX with N 0\.\.31 and 96 hex digits$/);
  assert.throws(() => parsePcrArgument(`0=${"ab".repeat(32)}`), /96 hex digits/);
  assert.throws(() => parsePcrArgument(`32=${SHA384}`), /N 0\.\.31/);
  assert.throws(() => parsePcrArgument(SHA384), /Invalid --pcr/);
  assert.throws(() => parsePcrArgument(`0=${"zz".repeat(48)}`), /Invalid --pcr/);
  assert.throws(() => parsePcrArgument("0=ab", [32, 48, 64]), /64, 96 or 128 hex digits/);
});

test.run();
