/// <reference lib="deno.ns" />
/**
 * The host-agent on an instance: `deno compile --unstable-vsock` of this file is `/opt/nitro-signer/bin/host-agent`.
 * Same commands as `main_node.ts`, with the Deno transport so the signer is reached over vsock. The Node-API
 * adapters it uses (`*_node.ts`: child_process for nitro-cli, fs for the status file, https for AWS) run under
 * Deno's Node compatibility.
 */
import { denoTransport } from "../signer/transport/transport_deno.ts";
import { runAttestationCommand } from "./cli/attestation_command.ts";
import { runKeysCommand } from "./cli/keys_command.ts";
import { openHostContext } from "./config/open_host_context_node.ts";
import { runDaemonCommand } from "./daemon/run_daemon_command_node.ts";

const USAGE = `host-agent <command>

  keys …          generate, import and list keys (host-agent keys --help)
  attestation …   verify an attestation document (host-agent attestation --help)
  daemon          run and watch the enclave, push credentials, load keys (host-agent daemon --help)
`;

const [command, ...rest] = Deno.args;
const env = Deno.env.toObject();
const writeAll = (stream: typeof Deno.stdout, text: string) => {
  const bytes = new TextEncoder().encode(text);
  for (let offset = 0; offset < bytes.length;) offset += stream.writeSync(bytes.subarray(offset));
};
const io = {
  stdout: (text: string) => writeAll(Deno.stdout, text),
  stderr: (text: string) => writeAll(Deno.stderr, text),
};

let code = 0;
switch (command) {
  case "keys":
    code = await runKeysCommand(rest, {
      ...io,
      readStdin: () => new Response(Deno.stdin.readable).text(),
      openContext: (options) => openHostContext({ ...options, transport: denoTransport, env }),
    });
    break;
  case "daemon":
    code = await runDaemonCommand(rest, env, { transport: denoTransport });
    break;
  case "attestation":
    code = await runAttestationCommand(rest, { ...io, readFile: (path) => Deno.readFile(path) });
    break;
  case "--help":
  case "help":
    io.stdout(USAGE);
    break;
  default:
    io.stderr(command ? `host-agent: unknown command ${command}\n${USAGE}` : USAGE);
    code = 2;
}
Deno.exit(code);
