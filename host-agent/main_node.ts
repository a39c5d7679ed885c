/**
 * `npm run host-agent -- <command>`: the host-agent's commands under Node (the local stack, tooling).
 * On an instance the same commands run from the deno-compiled binary (`main_deno.ts`).
 */
import { nodeTransport } from "../signer/transport/transport_node.ts";
import { readFile } from "node:fs/promises";
import { runAttestationCommand } from "./cli/attestation_command.ts";
import { runKeysCommand } from "./cli/keys_command.ts";
import { openHostContext } from "./config/open_host_context_node.ts";
import { runDaemonCommand } from "./daemon/run_daemon_command_node.ts";

// The AWS SDK's notice that its 2027 releases need Node 22 is noise in a CLI's output (this project pins it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const USAGE = `host-agent <command>

  keys …          generate, import and list keys (host-agent keys --help)
  attestation …   verify an attestation document (host-agent attestation --help)
  daemon          run and watch the enclave, push credentials, load keys (host-agent daemon --help)
`;

const [command, ...rest] = process.argv.slice(2);
const io = {
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
};

switch (command) {
  case "keys":
    process.exitCode = await runKeysCommand(rest, {
      ...io,
      readStdin: async () => {
        let text = "";
        for await (const chunk of process.stdin) text += chunk;
        return text;
      },
      openContext: (options) => openHostContext({ ...options, transport: nodeTransport, env: process.env }),
    });
    break;
  case "daemon":
    process.exitCode = await runDaemonCommand(rest, process.env, { transport: nodeTransport });
    break;
  case "attestation":
    process.exitCode = await runAttestationCommand(rest, { ...io, readFile: async (path) => new Uint8Array(await readFile(path)) });
    break;
  case "--help":
  case "help":
    io.stdout(USAGE);
    break;
  default:
    io.stderr(command ? `host-agent: unknown command ${command}\n${USAGE}` : USAGE);
    process.exitCode = 2;
}
