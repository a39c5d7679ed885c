import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { recoverTransactionAddress, type Hex } from "viem";
import { binaryPath } from "../../../local/binaries_node.ts";
import { parseSignerConfig } from "../../../signer/parse_signer_config.ts";
import { createSignerClient } from "../../../signer/protocol/create_signer_client.ts";
import { nodeTransport } from "../../../signer/transport/transport_node.ts";
import { testWithTool } from "../../helpers/missing_tool.ts";

// Which secp256k1 curve the signer process signs with (issue 19): native libsecp256k1 in enclave mode or not at
// all; in dev mode native when Debian's libsecp256k1-1 is installed, else the WebAssembly build, said once at start;
// `describe` names it. And the bad-input suite once more, against a signer that must sign natively.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const MAIN = join(ROOT, "signer/main_deno.ts");
const ABSENT = "libsecp256k1-absent.so.1";
const dir = mkdtempSync(join(tmpdir(), "signer-curve-"));
let n = 0;

const probe = spawnSync(binaryPath("deno"), ["eval", "Deno.dlopen('libsecp256k1.so.1', {}).close()"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 });
const withLibrary = testWithTool(probe.status === 0, "libsecp256k1.so.1", "apt-get install libsecp256k1-1");

type Started = { lines: string[]; code: number | null; socket: string; stop(): void };

/** Runs the signer with `args` until it listens (or exits), collecting its stderr lines. */
function startSignerProcess(args: string[]): Promise<Started> {
  const socket = join(dir, `s${n++}.sock`);
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  delete env.SIGNER_CURVE;
  const child = spawn(binaryPath("deno"), ["run", "--quiet", "-A", MAIN, "--listen", `unix://${socket}`, ...args], {
    cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  createInterface({ input: child.stderr }).on("line", (line) => lines.push(line));
  return new Promise((resolve) => {
    const started: Started = { lines, code: null, socket, stop: () => child.kill("SIGTERM") };
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.includes('"listening"')) resolve(started);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      started.code = code;
      resolve(started);
    });
  });
}

async function describeAndSign(socket: string): Promise<{ curve: unknown; signedBy: boolean }> {
  const client = createSignerClient(() => nodeTransport.connect({ transport: "unix", path: socket }));
  try {
    const described = (await client.request("describe", {})) as { curve?: unknown };
    const { address } = await client.request("keys.generate", {});
    const transaction = { type: "0x2", chainId: "0x7a69", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x2540be400", maxPriorityFeePerGas: "0x3b9aca00", to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "0x1" } as const;
    const { raw } = await client.request("sign.transaction", { address, transaction });
    return { curve: described.curve, signedBy: (await recoverTransactionAddress({ serializedTransaction: raw as Hex & `0x02${string}` })) === address };
  } finally {
    client.close();
  }
}

test.after(() => rmSync(dir, { recursive: true, force: true }));

test("parseSignerConfig(): native in enclave mode (nothing else allowed), auto in dev mode, --curve and SIGNER_CURVE", () => {
  const enclave = ["--kms-proxy", "vsock://3:8000"];
  assert.is(parseSignerConfig(enclave, {}).curve, "native");
  assert.is(parseSignerConfig(["--mode", "dev"], {}).curve, "auto");
  assert.is(parseSignerConfig(["--mode", "dev", "--curve", "wasm"], {}).curve, "wasm");
  assert.is(parseSignerConfig(["--mode", "dev"], { SIGNER_CURVE: "native" }).curve, "native");
  assert.is(parseSignerConfig(["--mode", "dev", "--secp256k1", "/opt/lib.so"], {}).secp256k1, "/opt/lib.so");
  for (const curve of ["wasm", "auto"]) assert.throws(() => parseSignerConfig([...enclave, "--curve", curve], {}), /Refusing --curve .* in enclave mode/);
  assert.throws(() => parseSignerConfig(enclave, { SIGNER_CURVE: "wasm" }), /in enclave mode/);
  assert.throws(() => parseSignerConfig(["--mode", "dev", "--curve", "noble"], {}), /Invalid --curve noble/);
});

test("in enclave mode the signer refuses to start without the native library, with a one-line reason", async () => {
  const s = await startSignerProcess(["--secp256k1", ABSENT]);
  assert.is(s.code, 1);
  assert.is(s.lines.length, 1, s.lines.join("\n"));
  assert.match(s.lines[0]!, new RegExp(`^signer: Cannot use the native secp256k1 curve: ${ABSENT.replace(/\./g, "\\.")} cannot be loaded`));
});

test("in dev mode --curve native without the library refuses to start too", async () => {
  const s = await startSignerProcess(["--mode", "dev", "--curve", "native", "--secp256k1", ABSENT]);
  assert.is(s.code, 1);
  assert.match(s.lines.join("\n"), /Cannot use the native secp256k1 curve/);
});

test("in dev mode without the library the signer falls back to wasm, says so once at start, and describe reports wasm", async () => {
  const s = await startSignerProcess(["--mode", "dev", "--workers", "2", "--secp256k1", ABSENT]);
  try {
    assert.is(s.code, null, s.lines.join("\n"));
    const fallbacks = s.lines.filter((l) => l.includes('"curve-fallback"'));
    assert.is(fallbacks.length, 1, s.lines.join("\n"));
    assert.match(fallbacks[0]!, /"curve":"wasm"/);
    assert.equal(await describeAndSign(s.socket), { curve: "wasm", signedBy: true });
    assert.match(s.lines.find((l) => l.includes('"listening"')) ?? "", /"curve":"wasm"/); // logged after stdout's line
  } finally {
    s.stop();
  }
});

for (const workers of ["2", "0"]) {
  withLibrary(`in dev mode with the library the signer signs natively (${workers} workers): describe reports native, no fallback line`, async () => {
    const s = await startSignerProcess(["--mode", "dev", "--workers", workers]);
    try {
      assert.is(s.code, null, s.lines.join("\n"));
      assert.not.ok(s.lines.some((l) => l.includes("curve-fallback")));
      assert.equal(await describeAndSign(s.socket), { curve: "native", signedBy: true });
    } finally {
      s.stop();
    }
  });
}

withLibrary("the signer's bad-input suite passes against a signer on the native curve (SIGNER_CURVE=native)", () => {
  const run = spawnSync(process.execPath, ["--import", "tsx", "test/signer/server/bad_input.test.ts"], {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, SIGNER_CURVE: "native", FORCE_COLOR: "0" }, timeout: 240_000,
  });
  const summary = /Total:\s+(\d+)\s+Passed:\s+(\d+)/.exec(run.stdout);
  assert.is(run.status, 0, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`);
  assert.ok(summary && Number(summary[1]) > 0 && summary[1] === summary[2], run.stdout.slice(-500));
});

test.run();
