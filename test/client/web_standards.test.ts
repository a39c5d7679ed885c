import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { tempDir } from "../helpers/temp_dir.ts";

// client/ runs in Node, Deno and browsers: no node: imports, and it type-checks with no runtime's globals (only the
// ES and DOM libraries), as tsconfig.signer.json checks the signer.
const root = new URL("../../", import.meta.url).pathname;

test("client/ imports no node: module and type-checks without Node's or Deno's globals", async () => {
  const files = (await readdir(join(root, "client"))).filter((f) => f.endsWith(".ts"));
  for (const file of files) {
    const text = await readFile(join(root, "client", file), "utf8");
    assert.not.match(text, /from\s+["']node:|import\(\s*["']node:|\bprocess\.|\bBuffer\b|\bDeno\./, file);
  }
  const dir = await tempDir("client-tsc-");
  try {
    const config = join(dir.path, "tsconfig.json");
    await writeFile(config, JSON.stringify({ extends: join(root, "tsconfig.json"), compilerOptions: { types: [] }, include: [join(root, "client")], exclude: [] }));
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", config], { cwd: root }).catch((e) => e);
    assert.is(stdout.trim(), "", stdout);
  } finally {
    await dir.remove();
  }
});

test.run();
