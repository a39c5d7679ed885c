#!/usr/bin/env node
// Fails when code in one room imports a file inside another room instead of its door (STYLE rule 2): each room's
// mod.ts, or its runtime adapters' doors mod_deno.ts and mod_node.ts. A room may name another's entry point
// (main_deno.ts, main_node.ts) to run it as a process. Tests (test/) may reach inside.
// Usage: node scripts/check_room_imports.mjs [ROOT]   (default: this repository; prints each deep import, exits 1
// if there is any)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(process.argv[2] ?? resolve(dirname(fileURLToPath(import.meta.url)), ".."));
const ROOMS = ["common", "signer", "rpc-proxy", "host-agent", "deploy", "local", "bench", "client"];
const DOORS = ["mod.ts", "mod_deno.ts", "mod_node.ts"];

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules" || name === "cdk.out") return [];
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|mts|mjs)$/.test(name) ? [path] : [];
  });
}

const roomOf = (path) => relative(root, path).split(sep)[0];
// Static imports and re-exports, dynamic import() and new URL(…, import.meta.url) (how workers are loaded).
const SPECIFIERS = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

const deep = [];
for (const room of ROOMS) {
  let roomFiles;
  try {
    roomFiles = files(join(root, room));
  } catch {
    continue; // a room that does not exist (yet)
  }
  for (const file of roomFiles) {
    const text = readFileSync(file, "utf8");
    for (const [, specifier] of text.matchAll(SPECIFIERS)) {
      const target = resolve(dirname(file), specifier);
      const targetRoom = roomOf(target);
      if (targetRoom === room || !ROOMS.includes(targetRoom)) continue;
      const inside = relative(join(root, targetRoom), target);
      if (/(^|\/)main_(deno|node)\.ts$/.test(inside) && !inside.includes("/")) continue; // an entry point, run as a process
      if (!DOORS.includes(inside)) deep.push(`${relative(root, file)}: imports ${specifier} (use ${targetRoom}/mod.ts, mod_deno.ts or mod_node.ts)`);
    }
  }
}
for (const line of deep) console.log(line);
if (deep.length > 0) {
  console.log(`\n${deep.length} import(s) reach inside another room`);
  process.exit(1);
}
console.log("every import between rooms goes through a door");
