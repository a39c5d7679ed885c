import { CfnElement } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ACCOUNT, fakeDist, PCR0, PCR8, synthSignerStack } from "./signer_fixtures.ts";

// The production-shaped variant, synthesized once and shared by every assertion in this file.
const CLIENT_SG = "sg-0123456789abcdef0";
const { stack, template } = synthSignerStack({
  pcr0: PCR0,
  pcr8: PCR8,
  upstreamUrl: "http://node.internal:8545/",
  clientCidrs: ["10.1.0.0/16"],
  clientSecurityGroupIds: [CLIENT_SG],
  distDir: fakeDist(),
});
const json = template.toJSON() as { Resources: Record<string, Resource>; Outputs: Record<string, { Value: unknown }> };
type Resource = { Type: string; Properties: Record<string, any>; [k: string]: any };
const ofType = (type: string): [string, Resource][] => Object.entries(json.Resources).filter(([, r]) => r.Type === type);
const only = (type: string): [string, Resource] => {
  const found = ofType(type);
  assert.is(found.length, 1, `one ${type}`);
  return found[0]!;
};
/** The logical id of the CloudFormation resource at a construct path under the stack. */
const logicalId = (path: string): string => {
  const element = stack.node.findAll().find((c) => c.node.path === `NitroSigner/${path}`);
  assert.ok(element instanceof CfnElement, `no CloudFormation resource at ${path}`);
  return stack.resolve(element.logicalId) as string;
};
const sgId = (path: string) => ({ "Fn::GetAtt": [logicalId(path), "GroupId"] });
const userData = (): string => {
  const [, lt] = only("AWS::EC2::LaunchTemplate");
  const parts = lt.Properties.LaunchTemplateData.UserData["Fn::Base64"]["Fn::Join"][1] as unknown[];
  return parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join("");
};

// ---- network ----

test("network: one VPC, two public subnets for NAT only and two private subnets, in two AZs", () => {
  template.resourceCountIs("AWS::EC2::VPC", 1);
  template.hasResourceProperties("AWS::EC2::VPC", { CidrBlock: "10.40.0.0/16" });
  const subnets = ofType("AWS::EC2::Subnet");
  assert.is(subnets.length, 4);
  const pub = subnets.filter(([, s]) => s.Properties.Tags.some((t: any) => t.Key === "aws-cdk:subnet-type" && t.Value === "Public"));
  const priv = subnets.filter(([, s]) => s.Properties.Tags.some((t: any) => t.Key === "aws-cdk:subnet-type" && t.Value === "Private"));
  assert.is(pub.length, 2);
  assert.is(priv.length, 2);
  for (const [, s] of pub) assert.is(s.Properties.MapPublicIpOnLaunch, false);
  const azs = priv.map(([, s]) => JSON.stringify(s.Properties.AvailabilityZone));
  assert.is(new Set(azs).size, 2, "private subnets in two different AZs");
  assert.equal(stack.availabilityZones.length, 2);
});

test("network: a NAT gateway per AZ, in the public subnets, and nothing else public", () => {
  const nats = ofType("AWS::EC2::NatGateway");
  assert.is(nats.length, 2);
  const publicIds = ofType("AWS::EC2::Subnet")
    .filter(([, s]) => s.Properties.Tags.some((t: any) => t.Value === "Public"))
    .map(([id]) => id);
  for (const [, nat] of nats) assert.ok(publicIds.includes(nat.Properties.SubnetId.Ref));
  template.resourceCountIs("AWS::EC2::EIP", 2);
  template.resourceCountIs("AWS::EC2::Instance", 0);
});

test("network: flow logs of all traffic to a log group with retention", () => {
  template.hasResourceProperties("AWS::EC2::FlowLog", {
    ResourceType: "VPC",
    TrafficType: "ALL",
    LogDestinationType: "cloud-watch-logs",
    LogGroupName: { Ref: logicalId("Network/FlowLogs/Resource") },
  });
  template.hasResourceProperties("AWS::Logs::LogGroup", Match.objectLike({ RetentionInDays: 90 }));
});

test("network: interface endpoints with private DNS for exactly the eight services, plus S3 and DynamoDB gateways", () => {
  const endpoints = ofType("AWS::EC2::VPCEndpoint");
  const interfaces = endpoints.filter(([, e]) => e.Properties.VpcEndpointType === "Interface");
  const services = interfaces.map(([, e]) => e.Properties.ServiceName).sort();
  assert.equal(services, [
    "com.amazonaws.us-east-1.ec2messages",
    "com.amazonaws.us-east-1.ecr.api",
    "com.amazonaws.us-east-1.ecr.dkr",
    "com.amazonaws.us-east-1.kms",
    "com.amazonaws.us-east-1.logs",
    "com.amazonaws.us-east-1.secretsmanager",
    "com.amazonaws.us-east-1.ssm",
    "com.amazonaws.us-east-1.ssmmessages",
  ]);
  const privateSubnets = [logicalId("Network/Vpc/PrivateSubnet1/Subnet"), logicalId("Network/Vpc/PrivateSubnet2/Subnet")];
  for (const [, e] of interfaces) {
    assert.is(e.Properties.PrivateDnsEnabled, true);
    assert.equal(e.Properties.SubnetIds.map((s: any) => s.Ref).sort(), [...privateSubnets].sort());
    assert.equal(e.Properties.SecurityGroupIds, [sgId("Network/EndpointSecurityGroup/Resource")]);
  }
  const gateways = endpoints.filter(([, e]) => e.Properties.VpcEndpointType === "Gateway");
  assert.equal(gateways.map(([, e]) => e.Properties.ServiceName), [
    { "Fn::Join": ["", ["com.amazonaws.", { Ref: "AWS::Region" }, ".s3"]] },
    { "Fn::Join": ["", ["com.amazonaws.", { Ref: "AWS::Region" }, ".dynamodb"]] },
  ]);
  const privateRouteTables = [logicalId("Network/Vpc/PrivateSubnet1/RouteTable"), logicalId("Network/Vpc/PrivateSubnet2/RouteTable")].sort();
  for (const [, e] of gateways) assert.equal(e.Properties.RouteTableIds.map((r: any) => r.Ref).sort(), privateRouteTables);
});

test("network: the endpoints admit HTTPS from the instances only", () => {
  const ingress = ofType("AWS::EC2::SecurityGroupIngress").filter(
    ([, r]) => JSON.stringify(r.Properties.GroupId) === JSON.stringify(sgId("Network/EndpointSecurityGroup/Resource")),
  );
  assert.equal(ingress.map(([, r]) => [r.Properties.FromPort, r.Properties.ToPort, r.Properties.SourceSecurityGroupId]), [
    [443, 443, sgId("Fleet/SecurityGroup/Resource")],
  ]);
});

// ---- fleet ----

test("fleet: launch template with Nitro Enclaves, IMDSv2 only (hop limit 1), encrypted gp3, no key pair", () => {
  const [, lt] = only("AWS::EC2::LaunchTemplate");
  const data = lt.Properties.LaunchTemplateData;
  assert.equal(data.EnclaveOptions, { Enabled: true });
  assert.equal(data.MetadataOptions, { HttpEndpoint: "enabled", HttpPutResponseHopLimit: 1, HttpTokens: "required", InstanceMetadataTags: "disabled" });
  assert.is(data.InstanceType, "m5a.xlarge");
  assert.equal(data.BlockDeviceMappings, [
    { DeviceName: "/dev/xvda", Ebs: { DeleteOnTermination: true, Encrypted: true, VolumeSize: 20, VolumeType: "gp3" } },
  ]);
  assert.is(data.KeyName, undefined, "no SSH key pair");
  assert.is(data.NetworkInterfaces, undefined, "no public IP association");
  assert.equal(data.Monitoring, { Enabled: true });
  assert.equal(data.SecurityGroupIds, [sgId("Fleet/SecurityGroup/Resource")]);
  assert.ok(data.IamInstanceProfile);
  assert.match(JSON.stringify(data.ImageId), "al2023");
});

test("fleet: Auto Scaling group of 2 to 4 across both AZs' private subnets, ELB health checks, rolling updates", () => {
  const [, asg] = only("AWS::AutoScaling::AutoScalingGroup");
  const p = asg.Properties;
  assert.is(p.MinSize, "2");
  assert.is(p.MaxSize, "4");
  assert.is(p.HealthCheckType, "ELB");
  assert.is(p.HealthCheckGracePeriod, 1200);
  assert.equal(p.TargetGroupARNs, [{ Ref: logicalId("Rpc/LoadBalancer/JsonRpc/ProxyGroup/Resource") }]);
  const subnetIds = (p.VPCZoneIdentifier as { Ref: string }[]).map((s) => s.Ref);
  assert.equal(subnetIds.sort(), [logicalId("Network/Vpc/PrivateSubnet1/Subnet"), logicalId("Network/Vpc/PrivateSubnet2/Subnet")].sort());
  const zones = subnetIds.map((id) => JSON.stringify(json.Resources[id]!.Properties.AvailabilityZone));
  assert.is(new Set(zones).size, 2, "spread over two AZs");
  assert.equal(asg.UpdatePolicy.AutoScalingRollingUpdate, {
    MaxBatchSize: 1,
    MinInstancesInService: 2,
    PauseTime: "PT20M",
    WaitOnResourceSignals: true,
    SuspendProcesses: ["HealthCheck", "ReplaceUnhealthy", "AZRebalance", "AlarmNotification", "ScheduledActions", "InstanceRefresh"],
  });
  assert.equal(asg.CreationPolicy, { ResourceSignal: { Count: 2, Timeout: "PT20M" } });
  assert.equal(p.InstanceMaintenancePolicy, { MinHealthyPercentage: 100, MaxHealthyPercentage: 150 }, "launch before terminate");
  assert.equal(p.LaunchTemplate.Version, { "Fn::GetAtt": [logicalId("Fleet/LaunchTemplate/Resource"), "LatestVersionNumber"] }, "a new template version rolls the group");
});

test("fleet: target tracking scales out and in on average CPU", () => {
  template.hasResourceProperties("AWS::AutoScaling::ScalingPolicy", {
    PolicyType: "TargetTrackingScaling",
    TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: "ASGAverageCPUUtilization" }, TargetValue: 50 },
  });
  const [, policy] = only("AWS::AutoScaling::ScalingPolicy");
  assert.is(policy.Properties.TargetTrackingConfiguration.DisableScaleIn, undefined, "scale-in stays enabled");
});

test("fleet: instances admit only 8545 from the load balancer, and send only HTTPS and the upstream port", () => {
  const fleetSg = JSON.stringify(sgId("Fleet/SecurityGroup/Resource"));
  const ingress = ofType("AWS::EC2::SecurityGroupIngress").filter(([, r]) => JSON.stringify(r.Properties.GroupId) === fleetSg);
  assert.equal(ingress.map(([, r]) => [r.Properties.FromPort, r.Properties.ToPort, r.Properties.SourceSecurityGroupId]), [
    [8545, 8545, sgId("Rpc/SecurityGroup/Resource")],
  ]);
  const [, sg] = ofType("AWS::EC2::SecurityGroup").find(([id]) => id === logicalId("Fleet/SecurityGroup/Resource"))!;
  assert.is(sg.Properties.SecurityGroupIngress, undefined);
  assert.equal(sg.Properties.SecurityGroupEgress.map((e: any) => [e.CidrIp, e.FromPort]), [["0.0.0.0/0", 443], ["0.0.0.0/0", 8545]]);
});

test("fleet: the instance role has SSM core access and only the scoped permissions", () => {
  const [roleId, role] = ofType("AWS::IAM::Role").find(([, r]) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes("ec2.amazonaws.com"))!;
  assert.equal(role.Properties.ManagedPolicyArns, [{ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":iam::aws:policy/AmazonSSMManagedInstanceCore"]] }]);
  const statements = ofType("AWS::IAM::Policy")
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
  const actions = statements.flatMap((s) => [s.Action].flat()).sort();
  assert.equal(actions, [
    "cloudformation:SignalResource",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "kms:GenerateRandom",
    "logs:CreateLogStream", "logs:CreateLogStream", "logs:CreateLogStream",
    "logs:PutLogEvents", "logs:PutLogEvents", "logs:PutLogEvents",
    "s3:GetObject",
    "secretsmanager:CreateSecret",
    "secretsmanager:DescribeSecret", "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue", "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecrets",
    "secretsmanager:PutSecretValue",
    "secretsmanager:TagResource",
    "secretsmanager:UpdateSecret",
  ]);
  const secrets = statements.find((s) => s.Sid === "KeyRecordsUnderPrefix");
  assert.equal(secrets.Resource, {
    "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":secretsmanager:", { Ref: "AWS::Region" }, ":", { Ref: "AWS::AccountId" }, ":secret:nitro-signer/keys/*"]],
  });
  const apiKeys = statements.find((s) => JSON.stringify(s.Resource) === JSON.stringify({ Ref: logicalId("ApiKeys/Secret/Resource") }));
  assert.equal([apiKeys.Action].flat().sort(), ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], "the API keys: read only");
  assert.equal(statements.find((s) => s.Action === "cloudformation:SignalResource").Resource, { Ref: "AWS::StackId" });
  assert.equal(statements.find((s) => s.Sid === "FleetStateItems").Resource, { "Fn::GetAtt": [logicalId("State/Table/Resource"), "Arn"] }, "the state table only");
  const s3 = statements.find((s) => s.Sid === "ReadBootArtifacts");
  assert.is(s3.Resource.length, 4, "the units and the three artifacts, object by object");
  for (const arn of s3.Resource) assert.not.match(JSON.stringify(arn), /\*/);
  assert.not.ok(actions.some((a) => a.includes("*")), "no wildcard actions");
  assert.not.ok(actions.includes("secretsmanager:DeleteSecret"));
});

test("fleet: the bootstrap writes the env file, the allowlist, checks PCR0 and waits for the enclave", () => {
  const script = userData();
  assert.match(script, `EXPECTED_PCR0="${PCR0}"`);
  assert.match(script, 'ENCLAVE_DEBUG_MODE="false"');
  assert.match(script, 'UPSTREAM_URL="http://node.internal:8545/"');
  assert.match(script, 'HOST="0.0.0.0"');
  assert.match(script, 'SIGNER_ADDRESS="vsock://16:5000"');
  assert.match(script, 'ENCLAVE_CPU_COUNT="2"');
  assert.match(script, 'ENCLAVE_MEMORY_MIB="1024"');
  assert.match(script, 'SECRET_PREFIX="nitro-signer/keys/"');
  assert.match(script, `KMS_KEY_ID="{"Fn::GetAtt":["${logicalId("Key/Key/Resource")}","Arn"]}"`);
  assert.match(script, "- {address: kms.us-east-1.amazonaws.com, port: 443}");
  assert.match(script, `if [ "$MEASURED_PCR0" != "${PCR0}" ]; then`);
  assert.match(script, `--logical-resource-id ${logicalId("Fleet/Group/ASG")}`);
  assert.match(script, "jq -e '.ready == true' /run/nitro-signer/status.json");
  assert.match(script, 'STATUS_FILE="/run/nitro-signer/status.json"');
  assert.match(script, `STATE_TABLE="{"Ref":"${logicalId("State/Table/Resource")}"}"`);
});

// ---- load balancer ----

test("load balancer: internal NLB in the private subnets, cross-zone, with its own security group", () => {
  const [, nlb] = only("AWS::ElasticLoadBalancingV2::LoadBalancer");
  assert.is(nlb.Properties.Type, "network");
  assert.is(nlb.Properties.Scheme, "internal");
  assert.equal(nlb.Properties.Subnets.map((s: any) => s.Ref).sort(), [logicalId("Network/Vpc/PrivateSubnet1/Subnet"), logicalId("Network/Vpc/PrivateSubnet2/Subnet")].sort());
  assert.equal(nlb.Properties.SecurityGroups, [sgId("Rpc/SecurityGroup/Resource")]);
  assert.ok(nlb.Properties.LoadBalancerAttributes.some((a: any) => a.Key === "load_balancing.cross_zone.enabled" && a.Value === "true"));
});

test("load balancer: TCP listener on 8545 to the proxy, health check GET /readyz/signer (the enclave answers) expecting 200", () => {
  template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
    Port: 8545,
    Protocol: "TCP",
    DefaultActions: [{ Type: "forward", TargetGroupArn: { Ref: logicalId("Rpc/LoadBalancer/JsonRpc/ProxyGroup/Resource") } }],
  });
  template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
    Port: 8545,
    Protocol: "TCP",
    TargetType: "instance",
    HealthCheckEnabled: true,
    HealthCheckProtocol: "HTTP",
    HealthCheckPath: "/readyz/signer",
    HealthCheckPort: "8545",
    Matcher: { HttpCode: "200" },
  });
});

test("load balancer: admits 8545 only from the configured client CIDRs and security groups", () => {
  const [, sg] = ofType("AWS::EC2::SecurityGroup").find(([id]) => id === logicalId("Rpc/SecurityGroup/Resource"))!;
  assert.equal(
    sg.Properties.SecurityGroupIngress.map((r: any) => [r.CidrIp ?? r.SourceSecurityGroupId, r.FromPort, r.ToPort, r.IpProtocol]),
    [["10.1.0.0/16", 8545, 8545, "tcp"], [CLIENT_SG, 8545, 8545, "tcp"]],
  );
  const egress = ofType("AWS::EC2::SecurityGroupEgress").filter(([, r]) => JSON.stringify(r.Properties.GroupId) === JSON.stringify(sgId("Rpc/SecurityGroup/Resource")));
  assert.equal(egress.map(([, r]) => [r.Properties.FromPort, r.Properties.DestinationSecurityGroupId]), [[8545, sgId("Fleet/SecurityGroup/Resource")]]);
});

// ---- key, logs, outputs ----

test("key: decrypt requires PCR0 and PCR8 in the full stack, for the instance role", () => {
  const [, key] = only("AWS::KMS::Key");
  const decrypt = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === "EnclaveDecryptWithAttestedImage");
  assert.equal(decrypt.Condition.StringEqualsIgnoreCase, { "kms:RecipientAttestation:ImageSha384": PCR0, "kms:RecipientAttestation:PCR8": PCR8 });
  assert.equal(decrypt.Principal, { AWS: { "Fn::GetAtt": [logicalId("InstanceRole/Role/Resource"), "Arn"] } });
  assert.equal(key.Properties.KeyPolicy.Statement[0].Principal, { AWS: { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, `:iam::${ACCOUNT}:root`]] } });
  assert.is(key.Properties.EnableKeyRotation, true);
});

test("logs: a retained log group with retention for each of the three services", () => {
  for (const service of ["signer", "host-agent", "rpc-proxy"]) {
    const id = logicalId(`Logs/${service}/Resource`);
    assert.is(json.Resources[id]!.Properties.RetentionInDays, 90, service);
    assert.is(json.Resources[id]!.DeletionPolicy, "Retain", service);
  }
  template.resourceCountIs("AWS::Logs::LogGroup", 4);
});

test("outputs: NLB DNS name, KMS key ARN, ASG name, secret prefix, state table, PCR0; no debug warning", () => {
  const outputs = json.Outputs;
  assert.equal(outputs.NlbDnsName!.Value, { "Fn::GetAtt": [logicalId("Rpc/LoadBalancer/Resource"), "DNSName"] });
  assert.equal(outputs.KmsKeyArn!.Value, { "Fn::GetAtt": [logicalId("Key/Key/Resource"), "Arn"] });
  assert.equal(outputs.AutoScalingGroupName!.Value, { Ref: logicalId("Fleet/Group/ASG") });
  assert.is(outputs.SecretPrefix!.Value, "nitro-signer/keys/");
  assert.equal(outputs.StateTableName!.Value, { Ref: logicalId("State/Table/Resource") });
  assert.is(outputs.EnclavePcr0!.Value, PCR0);
  assert.ok(outputs.RpcUrl);
  assert.is(outputs.DebugMode, undefined);
});

test.run();
