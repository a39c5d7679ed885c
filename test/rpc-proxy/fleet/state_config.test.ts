import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseProxyConfig } from "../../../rpc-proxy/parse_proxy_config.ts";
import { toRpcError } from "../../../rpc-proxy/jsonrpc/to_rpc_error.ts";
import { FleetStateBusyError, FleetStateUnavailableError } from "../../../rpc-proxy/fleet/fleet_state_errors.ts";
import { SignerRequestError } from "../../../signer/protocol/create_signer_client.ts";

const BASE = ["--upstream", "http://127.0.0.1:8546"];

test("parseProxyConfig: --state-table and --dynamodb-endpoint (or STATE_TABLE, DYNAMODB_ENDPOINT), region from AWS_REGION", () => {
  assert.equal(
    [parseProxyConfig([...BASE, "--state-table", "nitro-signer-state", "--dynamodb-endpoint", "http://127.0.0.1:8000"], { AWS_REGION: "eu-west-1" })].map((c) => [c.stateTable, c.dynamodbEndpoint, c.region])[0],
    ["nitro-signer-state", "http://127.0.0.1:8000", "eu-west-1"],
  );
  const fromEnv = parseProxyConfig(BASE, { STATE_TABLE: "t-1", AWS_DEFAULT_REGION: "us-east-2" });
  assert.equal([fromEnv.stateTable, fromEnv.region, fromEnv.dynamodbEndpoint], ["t-1", "us-east-2", undefined]);
  const without = parseProxyConfig(BASE, { AWS_REGION: "eu-west-1" });
  assert.is(without.stateTable, undefined, "no table: nonces in memory, no window records");
});

test("parseProxyConfig refuses a bad table name, an endpoint without a table or with a path, and a table without a region", () => {
  for (const [args, env, message] of [
    [["--state-table", "a b"], { AWS_REGION: "x" }, /Invalid --state-table/],
    [["--dynamodb-endpoint", "http://127.0.0.1:8000"], { AWS_REGION: "x" }, /needs --state-table/],
    [["--state-table", "ttt", "--dynamodb-endpoint", "file:///etc"], { AWS_REGION: "x" }, /Invalid --dynamodb-endpoint/],
    [["--state-table", "ttt"], {}, /AWS_REGION/],
  ] as const) {
    assert.throws(() => parseProxyConfig([...BASE, ...args], env), (e: Error) => e instanceof TypeError && message.test(e.message));
  }
});

test("toRpcError: the fleet state's errors and the signer's window errors are -32603 with a message, never the record bytes", () => {
  assert.equal(toRpcError(new FleetStateUnavailableError("nitro-signer-state", "GetItem", Object.assign(new Error("connect ECONNREFUSED"), { name: "TimeoutError" }))), {
    code: -32603,
    message: "Fleet state unavailable: DynamoDB table nitro-signer-state (GetItem: TimeoutError)",
  });
  assert.is(toRpcError(new FleetStateBusyError("window#0xabc", 16)).code, -32603);
  const stale = toRpcError(new SignerRequestError("WINDOW_STATE_STALE", "Window record is stale", { address: "0x1", version: 1, newest: 3, record: new Uint8Array(40) }));
  assert.equal(stale, { code: -32603, message: "Window state not accepted by the signer: Window record is stale" });
  assert.is(toRpcError(new SignerRequestError("WINDOW_STATE_INVALID", "Window record does not verify", { address: "0x1" })).code, -32603);
});

test.run();
