/**
 * `npm run host-agent -- <command>`: the host-agent's commands under Node (the local stack, tooling).
 * On an instance the same commands run from the deno-compiled binary (`main_deno.ts`).
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { nodeTransport } from "../signer/mod_node.ts";
import { runHostAgent } from "./run_host_agent.ts";

// The AWS SDK's notice that its 2027 releases need Node 22 is noise in a CLI's output (this project pins it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

process.exitCode = await runHostAgent(process.argv.slice(2), {
  transport: nodeTransport,
  env: process.env,
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  readStdin: async () => {
    let text = "";
    for await (const chunk of process.stdin) text += chunk;
    return text;
  },
  readFile: async (path) => new Uint8Array(await readFile(path)),
  writeFileAtomic: async (path, text) => {
    await writeFile(`${path}.tmp`, text, { mode: 0o600 });
    await rename(`${path}.tmp`, path);
  },
});
