import type { Transport } from "../signer/mod.ts";
import { runApiKeysCommand } from "./cli/api_keys_command.ts";
import { runAttestationCommand } from "./cli/attestation_command.ts";
import { runKeysCommand } from "./cli/keys_command.ts";
import { runPolicyCommand } from "./cli/policy_command.ts";
import { openHostContext } from "./config/open_host_context_node.ts";
import { runDaemonCommand } from "./daemon/run_daemon_command_node.ts";

export const HOST_AGENT_USAGE = `host-agent <command>

  keys …          generate, import and list keys (host-agent keys --help)
  policy …        digest, apply and show an account's signing policy (host-agent policy --help)
  attestation …   verify an attestation document (host-agent attestation --help)
  api-keys fetch  write the rpc-proxy's API keys from their secret (host-agent api-keys --help)
  daemon          run and watch the enclave, push credentials, load keys (host-agent daemon --help)
`;

/** What a runtime's entry point gives the host-agent: its transport to the signer, process I/O and files. */
export type HostAgentRuntime = {
  transport: Transport;
  env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  readFile(path: string): Promise<Uint8Array>;
  /** Replaces `path` whole (write aside, then rename), mode 0600. */
  writeFileAtomic(path: string, text: string): Promise<void>;
};

/**
 * The host-agent's command dispatcher, shared by `main_node.ts` and `main_deno.ts` (which differ only in the
 * runtime they hand in: Node's tcp/unix transport, or Deno's with vsock). Returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runHostAgent(process.argv.slice(2), runtime);
 * ```
 */
export async function runHostAgent(args: readonly string[], runtime: HostAgentRuntime): Promise<number> {
  const [command, ...rest] = args;
  const { transport, env, stdout, stderr } = runtime;
  switch (command) {
    case "keys":
      return runKeysCommand(rest, {
        stdout,
        stderr,
        readStdin: runtime.readStdin,
        readFile: runtime.readFile,
        openContext: (options) => openHostContext({ ...options, transport, env }),
      });
    case "policy":
      return runPolicyCommand(rest, {
        stdout,
        stderr,
        readFile: runtime.readFile,
        openContext: (options) => openHostContext({ ...options, transport, env }),
      });
    case "daemon":
      return runDaemonCommand(rest, env, { transport });
    case "api-keys":
      return runApiKeysCommand(rest, {
        env,
        stdout,
        stderr,
        writeFileAtomic: runtime.writeFileAtomic,
        openContext: (options) => openHostContext({ ...options, transport, env }),
      });
    case "attestation":
      return runAttestationCommand(rest, { stdout, stderr, readFile: runtime.readFile });
    case "--help":
    case "help":
      stdout(HOST_AGENT_USAGE);
      return 0;
    default:
      stderr(command ? `host-agent: unknown command ${command}\n${HOST_AGENT_USAGE}` : HOST_AGENT_USAGE);
      return 2;
  }
}
