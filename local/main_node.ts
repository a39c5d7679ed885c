/**
 * `npm start`: the whole system on one machine. Options: `--port N` (or PORT), `--host H`, `--upstream URL`,
 * `--state-dir DIR` (default .local/). Prints `JSON-RPC ready at <url>` and the account addresses; stops
 * every child process on SIGINT/SIGTERM.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseAllowedHosts, parseApiKeys } from "../rpc-proxy/mod.ts";

import { startLocalStack } from "./start_local_stack_node.ts";

// The AWS SDK warns that releases after January 2027 need Node 22; this project pins its SDK and supports
// Node 20 for local use, so the warning is noise in the one-screen start-up output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const USAGE = `npm start -- [options]

  --port N          JSON-RPC port (env PORT)            default 8545
  --host HOST       listen address for every listener   default 127.0.0.1
  --upstream URL    use this Ethereum node instead of launching Anvil
  --state-dir DIR   where local state lives             default .local/
  --api-keys FILE   require these API keys (rpc-proxy --help has the format)   default none
  --cors-origins L  comma-separated origins allowed by CORS, or *            default none
                    (a request from a web page of any other origin is refused with 403)
  --allowed-hosts L comma-separated host names the Host header may name, or *
                    default localhost,127.0.0.1,[::1] and --host
  --quiet           no JSON line per JSON-RPC request on stderr
  --help            this text
`;

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string" },
      upstream: { type: "string" },
      "state-dir": { type: "string" },
      "api-keys": { type: "string" },
      "cors-origins": { type: "string" },
      "allowed-hosts": { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean" },
    },
  }));
} catch (error) {
  console.error(`npm start: ${(error as Error).message}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const port = Number(values.port ?? process.env.PORT ?? 8545);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`npm start: invalid port ${values.port ?? process.env.PORT}`);
  process.exit(2);
}

let apiKeys;
let allowedHosts;
try {
  apiKeys = values["api-keys"] ? parseApiKeys(JSON.parse(readFileSync(values["api-keys"], "utf8"))) : undefined;
} catch (error) {
  console.error(`npm start: --api-keys ${values["api-keys"]}: ${(error as Error).message}`);
  process.exit(2);
}
try {
  allowedHosts = parseAllowedHosts(values["allowed-hosts"], values.host ?? "127.0.0.1");
} catch (error) {
  console.error(`npm start: ${(error as Error).message}`);
  process.exit(2);
}

try {
  const stack = await startLocalStack({
    port,
    ...(values.host ? { host: values.host } : {}),
    ...(values.upstream ? { upstreamUrl: values.upstream } : {}),
    ...(values["state-dir"] ? { stateDir: values["state-dir"] } : {}),
    log: (line) => console.error(line),
    proxy: {
      ...(apiKeys ? { apiKeys } : {}),
      allowedHosts,
      ...(values["cors-origins"] ? { corsOrigins: values["cors-origins"].split(",").map((o) => o.trim()) } : {}),
      ...(values.quiet ? {} : { log: (line: string) => console.error(line) }),
    },
  });
  console.log(`JSON-RPC ready at ${stack.url}`);
  for (const account of stack.accounts) console.log(`account ${account}`);
  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.error("stopping…");
      void stack.stop().finally(() => process.exit(0));
    });
  }
} catch (error) {
  console.error(`npm start: ${(error as Error).message}`);
  process.exit(1);
}
