import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { tempDir } from "../helpers/temp_dir.ts";

// The CI check that rooms import each other only through their doors (STYLE rule 2).

const check = (root?: string) =>
  promisify(execFile)(process.execPath, ["scripts/check_room_imports.mjs", ...(root ? [root] : [])]).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e) => ({ code: e.code as number, out: e.stdout as string }),
  );

async function tree(files: Record<string, string>) {
  const dir = await tempDir("rooms-");
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir.path, path)), { recursive: true });
    await writeFile(join(dir.path, path), text);
  }
  return dir;
}

test("this repository: every import between rooms goes through a door", async () => {
  const { code, out } = await check();
  assert.is(code, 0, out);
});

test("a deep import into another room fails the check and is named; doors, entry points and tests pass", async () => {
  const base = {
    "signer/mod.ts": 'export { x } from "./inner/x.ts";\n',
    "signer/mod_node.ts": "export const n = 1;\n",
    "signer/inner/x.ts": "export const x = 1;\n",
    "signer/main_deno.ts": "",
    "test/signer/x.test.ts": 'import { x } from "../../signer/inner/x.ts";\n',
    "local/run_node.ts": 'import { n } from "../signer/mod_node.ts";\nconst main = new URL("../signer/main_deno.ts", import.meta.url);\n',
  };
  const good = await tree({ ...base, "rpc-proxy/a.ts": 'import { x } from "../signer/mod.ts";\n' });
  const bad = await tree({
    ...base,
    "rpc-proxy/a.ts": 'import {\n  x,\n} from "../signer/inner/x.ts";\n',
    "bench/b.ts": 'export { x } from "../signer/inner/x.ts";\n',
  });
  try {
    assert.is((await check(good.path)).code, 0);
    const { code, out } = await check(bad.path);
    assert.is(code, 1);
    assert.match(out, /rpc-proxy\/a\.ts: imports \.\.\/signer\/inner\/x\.ts/);
    assert.match(out, /bench\/b\.ts: imports \.\.\/signer\/inner\/x\.ts/);
    assert.match(out, /2 import\(s\) reach inside another room/);
  } finally {
    await Promise.all([good.remove(), bad.remove()]);
  }
});

test.run();
