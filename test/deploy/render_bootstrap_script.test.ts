import { test } from "uvu";
import * as assert from "uvu/assert";
import { renderBootstrapScript } from "../../deploy/lib/render_bootstrap_script.ts";
import { BOOTSTRAP_PARAMETERS, PCR0 } from "./signer_fixtures.ts";

const base = BOOTSTRAP_PARAMETERS;
const script = renderBootstrapScript(base).join("\n");

test("renderBootstrapScript() fails fast and signals CloudFormation with the exit status", () => {
  assert.ok(script.startsWith("set -euo pipefail\n"));
  assert.match(script, "trap 'signal_cloudformation $?' EXIT");
  assert.match(script, "aws cloudformation signal-resource --stack-name NitroSigner --logical-resource-id FleetGroupASG");
  assert.match(script, "X-aws-ec2-metadata-token", "IMDSv2 token for the instance id");
});

test("renderBootstrapScript() writes the env file in systemd EnvironmentFile quoting", () => {
  assert.match(script, "cat > /etc/nitro-signer/env <<'NITRO_SIGNER_EOF'\nAWS_REGION=\"eu-central-1\"\nUPSTREAM_URL=\"https://node/a\\\"b\\\\c\"\nSIGNER_CID=\"16\"\nNITRO_SIGNER_EOF");
  assert.match(script, "chown root:nitro-signer /etc/nitro-signer/env && chmod 0640 /etc/nitro-signer/env");
});

test("renderBootstrapScript() allowlists only the region's KMS endpoint for the vsock-proxy", () => {
  assert.match(
    script,
    "cat > /etc/nitro_enclaves/vsock-proxy.yaml <<'NITRO_SIGNER_EOF'\nallowlist:\n- {address: kms.eu-central-1.amazonaws.com, port: 443}\nNITRO_SIGNER_EOF",
  );
});

test("renderBootstrapScript() installs the units, binaries and EIF in the fixed layout", () => {
  assert.match(script, "aws s3 cp --only-show-errors s3://assets/units.zip /opt/nitro-signer/systemd.zip");
  for (const unit of ["allocator", "vsock-proxy", "host-agent", "rpc-proxy"]) {
    assert.match(script, `install -m 0644 /opt/nitro-signer/systemd/nitro-signer-${unit}.service /etc/systemd/system/nitro-signer-${unit}.service`);
  }
  assert.match(script, "s3://builds/v1/bin/host-agent /opt/nitro-signer/bin/host-agent.download");
  assert.match(script, "install -m 0755 /opt/nitro-signer/bin/rpc-proxy.download /opt/nitro-signer/bin/rpc-proxy");
  assert.match(script, "install -m 0644 /opt/nitro-signer/signer.eif.download /opt/nitro-signer/signer.eif");
  assert.match(script, "dnf install -y aws-nitro-enclaves-cli");
  assert.match(script, "usermod -a -G ne nitro-signer");
});

test("renderBootstrapScript() refuses an EIF whose PCR0 is not the key policy's", () => {
  assert.match(script, "nitro-cli describe-eif --eif-path /opt/nitro-signer/signer.eif");
  assert.match(script, `if [ "$MEASURED_PCR0" != "${PCR0}" ]; then`);
  const debug = renderBootstrapScript({ ...base, expectedPcr0: undefined }).join("\n");
  assert.not.match(debug, "!= \"", "debug deployments skip the comparison");
});

test("renderBootstrapScript() ships the three service logs and waits for the enclave and the proxy before SUCCESS", () => {
  for (const s of ["signer", "host-agent", "rpc-proxy"]) {
    assert.match(script, `"file_path": "/var/log/nitro-signer/${s}.log"`);
    assert.match(script, `"log_group_name": "lg-${s}"`);
  }
  assert.match(script, "systemctl enable --now nitro-signer-allocator.service nitro-signer-vsock-proxy.service nitro-signer-host-agent.service nitro-signer-rpc-proxy.service");
  assert.match(script, "until jq -e '.ready == true' /run/nitro-signer/status.json >/dev/null 2>&1 && curl -sf -o /dev/null http://127.0.0.1:8545/healthz; do");
  assert.match(script, "deadline=$((SECONDS + 600))");
  assert.ok(script.endsWith("echo 'nitro-signer: ready'"));
});

test("renderBootstrapScript() fails the bootstrap when the deployment has no build", () => {
  const none = renderBootstrapScript({ ...base, binaries: undefined });
  assert.is(none.at(-1), "exit 1");
  assert.not.match(none.join("\n"), "systemctl enable --now");
});

test("renderBootstrapScript() rejects env values that would break the file", () => {
  assert.throws(() => renderBootstrapScript({ ...base, env: { UPSTREAM_URL: "a\nKMS_KEY_ID=evil" } }), /line break/);
  assert.throws(() => renderBootstrapScript({ ...base, env: { "bad-name": "x" } }), /UPPER_SNAKE/);
  assert.throws(() => renderBootstrapScript({ ...base, readyTimeoutSeconds: 0 }), RangeError);
});

test.run();
