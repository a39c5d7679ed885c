import { Annotations, Match } from "aws-cdk-lib/assertions";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fakeDist, PCR0, synthSignerStack } from "./signer_fixtures.ts";

// A deployment is authenticated by default: the API-keys secret (created holding [], so the proxy refuses every
// request until an operator adds a key's hash), read by the instances when the proxy starts, never in the
// launch template. Running open takes -c allowUnauthenticated=true, and synth warns about it.

const base = { pcr0: PCR0, upstreamUrl: "http://node.internal:8545/", distDir: fakeDist() };
const secure = synthSignerStack(base);
const open = synthSignerStack({ ...base, allowUnauthenticated: true });

const userData = (template: typeof secure.template): string => {
  const lt = Object.values(template.toJSON().Resources as Record<string, any>).find((r) => r.Type === "AWS::EC2::LaunchTemplate");
  return (lt.Properties.LaunchTemplateData.UserData["Fn::Base64"]["Fn::Join"][1] as unknown[]).map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join("");
};

test("by default: one API-keys secret holding [] (no key), its ARN and the keys file in the env file, an output, no warning", () => {
  secure.template.resourceCountIs("AWS::SecretsManager::Secret", 1);
  secure.template.hasResourceProperties("AWS::SecretsManager::Secret", { SecretString: "[]" });
  const script = userData(secure.template);
  assert.match(script, /API_KEYS_SECRET_ID="\{"Ref":"ApiKeysSecret[0-9A-F]+"\}"/);
  assert.match(script, 'API_KEYS_FILE="/run/nitro-signer-rpc-proxy/api-keys.json"');
  assert.match(script, 'ALLOWED_HOSTS="*"');
  assert.not.match(script, /keySha256/, "no key material in the launch template");
  secure.template.hasOutput("ApiKeysSecretArn", {});
  const warnings = Annotations.fromStack(secure.stack).findWarning("*", Match.stringLikeRegexp("allowUnauthenticated"));
  assert.is(warnings.length, 0);
});

test("allowUnauthenticated: no secret, no API keys in the env file, and synth warns", () => {
  open.template.resourceCountIs("AWS::SecretsManager::Secret", 0);
  const script = userData(open.template);
  assert.not.match(script, /API_KEYS_/);
  Annotations.fromStack(open.stack).hasWarning("/NitroSigner", Match.stringLikeRegexp("allowUnauthenticated: the rpc-proxy runs without API keys"));
});

test.run();
