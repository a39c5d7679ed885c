import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AwsJsonError } from "../../../local/aws/aws_json_error.ts";
import { createAwsJsonHandler } from "../../../local/aws/create_aws_json_handler.ts";
import type { LocalCredential } from "../../../local/aws/local_credential.ts";

const CREDENTIAL: LocalCredential = { accessKeyId: "AKIAEXAMPLEEXAMPLE12", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", principalArn: "arn:aws:iam::111122223333:role/x" };
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const seen: { input: unknown; caller: string }[] = [];

const handler = createAwsJsonHandler({
  service: "kms",
  targetPrefix: "TrentService",
  region: "us-east-1",
  credentials: () => [CREDENTIAL],
  clock: () => NOW,
  operations: {
    GenerateRandom: (input, context) => {
      seen.push({ input, caller: context.caller.principalArn });
      return { Plaintext: "AAAA" };
    },
    Fail: () => {
      throw new AwsJsonError("NotFoundException", "nope");
    },
    Crash: () => {
      throw new Error("secret detail");
    },
  },
});

type Sign = { body?: string; target?: string; credential?: LocalCredential; date?: number; region?: string; service?: string; headers?: Record<string, string>; unsigned?: Record<string, string> };

async function signed(options: Sign = {}): Promise<Request> {
  const body = options.body ?? JSON.stringify({ NumberOfBytes: 4 });
  const credential = options.credential ?? CREDENTIAL;
  const signer = new SignatureV4({
    service: options.service ?? "kms",
    region: options.region ?? "us-east-1",
    credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey, ...(credential.sessionToken ? { sessionToken: credential.sessionToken } : {}) },
    sha256: Sha256,
  });
  const request = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: "https:",
      hostname: "kms.us-east-1.amazonaws.com",
      path: "/",
      headers: {
        host: "kms.us-east-1.amazonaws.com",
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": options.target ?? "TrentService.GenerateRandom",
        ...options.headers,
      },
      body,
    }),
    { signingDate: new Date(options.date ?? NOW) },
  );
  return new Request("https://kms.us-east-1.amazonaws.com/", {
    method: "POST",
    headers: { ...(request.headers as Record<string, string>), ...options.unsigned },
    body,
  });
}

async function call(request: Request): Promise<{ status: number; body: Record<string, unknown>; type: string | null }> {
  const response = await handler(request);
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, type: response.headers.get("x-amzn-errortype") };
}

test("a correctly signed request reaches its operation with the caller's principal", async () => {
  const out = await call(await signed());
  assert.is(out.status, 200);
  assert.equal(out.body, { Plaintext: "AAAA" });
  assert.equal(seen.at(-1), { input: { NumberOfBytes: 4 }, caller: CREDENTIAL.principalArn });
});

test("a body altered after signing fails with InvalidSignatureException", async () => {
  const request = await signed();
  const forged = new Request(request.url, { method: "POST", headers: request.headers, body: JSON.stringify({ NumberOfBytes: 1024 }) });
  const out = await call(forged);
  assert.is(out.status, 400);
  assert.is(out.body.__type, "InvalidSignatureException");
  assert.is(out.type, "InvalidSignatureException");
});

test("a target altered after signing fails with InvalidSignatureException", async () => {
  const request = await signed();
  const headers = new Headers(request.headers);
  headers.set("x-amz-target", "TrentService.Fail");
  assert.is((await call(new Request(request.url, { method: "POST", headers, body: JSON.stringify({ NumberOfBytes: 4 }) }))).body.__type, "InvalidSignatureException");
});

test("a request without Authorization fails with MissingAuthenticationTokenException", async () => {
  const out = await call(new Request("https://kms.us-east-1.amazonaws.com/", { method: "POST", headers: { "x-amz-target": "TrentService.GenerateRandom" }, body: "{}" }));
  assert.is(out.body.__type, "MissingAuthenticationTokenException");
});

test("a malformed Authorization header fails with IncompleteSignatureException", async () => {
  const out = await call(new Request("https://kms.us-east-1.amazonaws.com/", { method: "POST", headers: { authorization: "AWS4-HMAC-SHA256 Credential=x" }, body: "{}" }));
  assert.is(out.body.__type, "IncompleteSignatureException");
});

test("another region or service in the credential scope fails with InvalidSignatureException", async () => {
  assert.match(String((await call(await signed({ region: "eu-west-1" }))).body.message), /region/);
  assert.match(String((await call(await signed({ service: "secretsmanager" }))).body.message), /service/);
});

test("a signature more than 15 minutes old (or ahead) fails with 'Signature expired'", async () => {
  const old = await call(await signed({ date: NOW - 16 * 60_000 }));
  assert.is(old.body.__type, "InvalidSignatureException");
  assert.match(String(old.body.message), /Signature expired/);
  assert.is((await call(await signed({ date: NOW + 16 * 60_000 }))).body.__type, "InvalidSignatureException");
  assert.is((await call(await signed({ date: NOW - 14 * 60_000 }))).status, 200);
});

test("a declared x-amz-content-sha256 that does not match the body is refused", async () => {
  const out = await call(await signed({ headers: { "x-amz-content-sha256": "0".repeat(64) } }));
  assert.is(out.body.__type, "InvalidSignatureException");
});

test("an unsigned x-amz-security-token, or one for long-term keys, is refused", async () => {
  const out = await call(await signed({ unsigned: { "x-amz-security-token": "token" } }));
  assert.is(out.body.__type, "UnrecognizedClientException");
});

test("unknown operations, other prefixes, other paths and methods are refused", async () => {
  assert.is((await call(await signed({ target: "TrentService.DeleteEverything" }))).body.__type, "UnknownOperationException");
  assert.is((await call(await signed({ target: "secretsmanager.GenerateRandom" }))).body.__type, "UnknownOperationException");
  assert.is((await call(await signed({ target: "TrentService.constructor" }))).body.__type, "UnknownOperationException");
  assert.is((await handler(new Request("https://kms.us-east-1.amazonaws.com/x", { method: "GET" }))).status, 404);
});

test("a body that is not a JSON object fails with SerializationException", async () => {
  assert.is((await call(await signed({ body: "[1]" }))).body.__type, "SerializationException");
  assert.is((await call(await signed({ body: "{" }))).body.__type, "SerializationException");
});

test("operation errors keep their AWS type; unexpected ones become a bare internal error", async () => {
  const fail = await call(await signed({ target: "TrentService.Fail" }));
  assert.equal([fail.status, fail.body], [400, { __type: "NotFoundException", message: "nope" }]);
  const crash = await call(await signed({ target: "TrentService.Crash" }));
  assert.is(crash.status, 500);
  assert.is(crash.body.__type, "InternalFailure");
  assert.not.match(JSON.stringify(crash.body), /secret detail/);
});

test.run();
