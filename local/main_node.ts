/**
 * `npm start`: the whole system on one machine. Options: `--port N` (or PORT), `--host H`, `--instances N`,
 * `--upstream URL` (once, or once per instance), `--state-dir DIR` (default .local/). Prints `JSON-RPC ready at
 * <url>` once per instance and the account addresses; stops every child process on SIGINT/SIGTERM.
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
                    (with --instances N: the first instance's; the others on the next ports)
  --host HOST       listen address for every listener   default 127.0.0.1
  --instances N     N complete instances (each its own signer, host-agent daemon and rpc-proxy, as N EC2
                    instances) sharing one node and the AWS stand-ins             default 1
  --upstream URL    use this Ethereum node instead of launching Anvil; give it once for every instance,
                    or once per instance, in order
  --key-sync-ms N   how often each host-agent loads key records and policies again   default 5000
                    (a key or policy added with \`host-agent … --state-dir\` reaches every instance by then)
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
      upstream: { type: "string", multiple: true },
      instances: { type: "string" },
      "key-sync-ms": { type: "string" },
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

const instances = Number(values.instances ?? 1);
if (!Number.isInteger(instances) || instances < 1 || instances > 32) {
  console.error(`npm start: invalid --instances ${values.instances}: expected an integer in 1..32`);
  process.exit(2);
}
if (port > 0 && port + instances - 1 > 65535) {
  console.error(`npm start: ports ${port}..${port + instances - 1} do not fit below 65536`);
  process.exit(2);
}
const upstreams = values.upstream ?? [];
if (upstreams.length > 1 && upstreams.length !== instances) {
  console.error(`npm start: ${upstreams.length} --upstream URLs for ${instances} instance(s): give one for all, or one per instance`);
  process.exit(2);
}
const keySyncMs = Number(values["key-sync-ms"] ?? 5000);
if (!Number.isInteger(keySyncMs) || keySyncMs < 100 || keySyncMs > 24 * 3600_000) {
  console.error(`npm start: invalid --key-sync-ms ${values["key-sync-ms"]}: expected an integer in 100..86400000`);
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
    instances,
    ...(upstreams.length > 0 ? { upstreamUrls: upstreams } : {}),
    keySyncIntervalMs: keySyncMs,
    ...(values["state-dir"] ? { stateDir: values["state-dir"] } : {}),
    log: (line) => console.error(line),
    proxy: {
      ...(apiKeys ? { apiKeys } : {}),
      allowedHosts,
      ...(values["cors-origins"] ? { corsOrigins: values["cors-origins"].split(",").map((o) => o.trim()) } : {}),
      ...(values.quiet ? {} : { log: (line: string) => console.error(line) }),
    },
  });
  for (const instance of stack.instances) console.log(`JSON-RPC ready at ${instance.url}`);
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
