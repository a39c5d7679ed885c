import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { ArnPrincipal, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { KEY_ADMIN_ACTIONS, SignerKey, type SignerKeyProps } from "../../deploy/lib/signer_key.ts";
import { ACCOUNT, PCR0, PCR8, PREVIOUS_PCR0, REGION } from "./signer_fixtures.ts";

type Statement = Record<string, unknown>;

/** One small stack per key variant: a role and the key, nothing else. */
function synthKey(props: Omit<SignerKeyProps, "instanceRole">) {
  const stack = new Stack(new App({ builtinCloudFormationValidation: false }), "KeyTest", { env: { account: ACCOUNT, region: REGION } });
  const role = new Role(stack, "InstanceRole", { assumedBy: new ServicePrincipal("ec2.amazonaws.com") });
  new SignerKey(stack, "Key", { instanceRole: role, ...props });
  const template = Template.fromStack(stack);
  const keys = Object.values(template.findResources("AWS::KMS::Key"));
  assert.is(keys.length, 1);
  const key = keys[0] as { Properties: { KeyPolicy: { Statement: Statement[] } } & Record<string, unknown> } & Record<string, unknown>;
  const policies = Object.values(template.findResources("AWS::IAM::Policy")) as { Properties: { PolicyDocument: { Statement: Statement[] } } }[];
  return { template, key, statements: key.Properties.KeyPolicy.Statement, iam: policies.flatMap((p) => p.Properties.PolicyDocument.Statement) };
}

// The role's logical id is a hash of its construct path ("InstanceRole" at the stack root), stable across synths.
const ROLE_ARN = { "Fn::GetAtt": ["InstanceRole3CCE2F1D", "Arn"] };
const ACCOUNT_ROOT = { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:iam::${ACCOUNT}:root`]] };
const CONTEXT = { "kms:EncryptionContext:app": "nitro-eth-signer" };

function expectedPolicy(attested: Record<string, unknown>, imageSha384: string[], admins: unknown = ACCOUNT_ROOT): Statement[] {
  return [
    { Sid: "KeyAdministrationWithoutUse", Effect: "Allow", Principal: { AWS: admins }, Action: [...KEY_ADMIN_ACTIONS], Resource: "*" },
    {
      Sid: "EnclaveDecryptWithAttestedImage",
      Effect: "Allow",
      Principal: { AWS: ROLE_ARN },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringEqualsIgnoreCase: attested, StringEquals: CONTEXT },
    },
    {
      Sid: "EnclaveEncryptWithSignerContext",
      Effect: "Allow",
      Principal: { AWS: ROLE_ARN },
      Action: "kms:Encrypt",
      Resource: "*",
      Condition: { StringEquals: CONTEXT },
    },
    {
      Sid: "DenyDecryptWithoutAttestedImage",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringNotEqualsIgnoreCase: { "kms:RecipientAttestation:ImageSha384": imageSha384 } },
    },
    {
      Sid: "DenyGrantsAndReEncrypt",
      Effect: "Deny",
      Principal: { AWS: "*" },
      Action: ["kms:CreateGrant", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
      Resource: "*",
    },
  ];
}

const single = synthKey({ pcr0: PCR0 });

test("SignerKey policy: exactly the five statements, decrypt bound to PCR0 and the signer's context", () => {
  assert.equal(single.statements, expectedPolicy({ "kms:RecipientAttestation:ImageSha384": PCR0 }, [PCR0]));
});

test("SignerKey policy: administrators get no Decrypt, no grants, no wildcard and no kms:*", () => {
  const admin = single.statements.find((s) => s.Sid === "KeyAdministrationWithoutUse")!;
  const actions = admin.Action as string[];
  for (const forbidden of ["kms:Decrypt", "kms:CreateGrant", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:*"]) {
    assert.not.ok(actions.includes(forbidden), forbidden);
  }
  assert.not.ok(actions.some((a) => a.includes("*")), "explicit actions only");
  assert.ok(actions.includes("kms:PutKeyPolicy") && actions.includes("kms:ScheduleKeyDeletion"));
  const allowsDecrypt = single.statements.filter((s) => s.Effect === "Allow" && JSON.stringify(s.Action).includes("kms:Decrypt"));
  assert.is(allowsDecrypt.length, 1);
  assert.equal(allowsDecrypt[0]!.Principal, { AWS: ROLE_ARN }, "only the instance role may decrypt");
});

test("SignerKey: rotation on, retained with the stack, 30-day deletion window", () => {
  assert.is(single.key.Properties.EnableKeyRotation, true);
  assert.is(single.key.Properties.PendingWindowInDays, 30);
  assert.is(single.key.DeletionPolicy, "Retain");
  assert.is(single.key.UpdateReplacePolicy, "Retain");
});

test("SignerKey: kms:GenerateRandom is granted on the role's IAM policy under the same attestation condition", () => {
  assert.equal(single.iam, [
    {
      Sid: "EnclaveGenerateRandomWithAttestedImage",
      Effect: "Allow",
      Action: "kms:GenerateRandom",
      Resource: "*",
      Condition: { StringEqualsIgnoreCase: { "kms:RecipientAttestation:ImageSha384": PCR0 } },
    },
  ]);
});

test("SignerKey policy: PCR8 is required too when given, and a rotation admits the previous image", () => {
  const rotating = synthKey({ pcr0: PCR0, previousPcr0s: [PREVIOUS_PCR0], pcr8: PCR8, aliasName: "alias/nitro-signer/test" });
  const attested = { "kms:RecipientAttestation:ImageSha384": [PCR0, PREVIOUS_PCR0], "kms:RecipientAttestation:PCR8": PCR8 };
  assert.equal(rotating.statements, expectedPolicy(attested, [PCR0, PREVIOUS_PCR0]));
  assert.equal(rotating.iam[0]!.Condition, { StringEqualsIgnoreCase: attested });
  rotating.template.hasResourceProperties("AWS::KMS::Alias", { AliasName: "alias/nitro-signer/test" });
});

test("SignerKey policy: named administrators replace the account root", () => {
  const admin = "arn:aws:iam::123456789012:role/KeyAdmin";
  const named = synthKey({ pcr0: PCR0, administrators: [new ArnPrincipal(admin)] });
  assert.equal(named.statements, expectedPolicy({ "kms:RecipientAttestation:ImageSha384": PCR0 }, [PCR0], admin));
});

test.run();
