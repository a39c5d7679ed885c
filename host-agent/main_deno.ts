/// <reference lib="deno.ns" />
/**
 * The host-agent on an instance: `deno compile --unstable-vsock` of this file is `/opt/nitro-signer/bin/host-agent`.
 * Same commands as `main_node.ts`, with the Deno transport so the signer is reached over vsock. The Node-API
 * adapters it uses (`*_node.ts`: child_process for nitro-cli, fs for the status file, https for AWS) run under
 * Deno's Node compatibility.
 */
import { denoTransport } from "../signer/mod_deno.ts";
import { runHostAgent } from "./run_host_agent.ts";

const writeAll = (stream: typeof Deno.stdout, text: string) => {
  const bytes = new TextEncoder().encode(text);
  for (let offset = 0; offset < bytes.length;) offset += stream.writeSync(bytes.subarray(offset));
};

Deno.exit(await runHostAgent(Deno.args, {
  transport: denoTransport,
  env: Deno.env.toObject(),
  stdout: (text) => writeAll(Deno.stdout, text),
  stderr: (text) => writeAll(Deno.stderr, text),
  readStdin: () => new Response(Deno.stdin.readable).text(),
  readFile: (path) => Deno.readFile(path),
  writeFileAtomic: async (path, text) => {
    await Deno.writeTextFile(`${path}.tmp`, text, { mode: 0o600 });
    await Deno.rename(`${path}.tmp`, path);
  },
}));
