import { Aws, Duration, Stack, Validations } from "aws-cdk-lib";
import {
  AdditionalHealthCheckType,
  AutoScalingGroup,
  type CfnAutoScalingGroup,
  GroupMetrics,
  HealthChecks,
  Signals,
  UpdatePolicy,
} from "aws-cdk-lib/aws-autoscaling";
import {
  AmazonLinuxCpuType,
  BlockDeviceVolume,
  EbsDeviceVolumeType,
  type IMachineImage,
  InstanceArchitecture,
  type InstanceType,
  type IVpc,
  LaunchTemplate,
  LaunchTemplateHttpTokens,
  MachineImage,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  UserData,
} from "aws-cdk-lib/aws-ec2";
import type { IRole } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { SERVICES } from "./constants.ts";
import { renderBootstrapScript } from "./render_bootstrap_script.ts";
import type { SignerArtifacts } from "./signer_artifacts.ts";
import type { SignerLogs } from "./signer_logs.ts";

export interface SignerFleetProps {
  readonly vpc: IVpc;
  /** The instance role (an instance profile is made for it). */
  readonly role: IRole;
  /** A Nitro Enclaves capable type. */
  readonly instanceType: InstanceType;
  /** @default - the latest Amazon Linux 2023 for the instance type's architecture, resolved at deploy time */
  readonly machineImage?: IMachineImage;
  /** @default 2 */
  readonly minCapacity?: number;
  /** @default 4 */
  readonly maxCapacity?: number;
  /** Target average CPU for target-tracking scaling. @default 50 */
  readonly cpuTargetPercent?: number;
  /** Contents of /etc/nitro-signer/env. Values may be tokens. */
  readonly env: Readonly<Record<string, string>>;
  readonly artifacts: SignerArtifacts;
  readonly logs: SignerLogs;
  /** PCR0 the EIF must measure to before it is started. @default - not checked (debug deployments) */
  readonly expectedPcr0?: string | undefined;
  /** Outbound TCP ports besides 443 (e.g. a plain-HTTP upstream node's port). @default [] */
  readonly extraEgressPorts?: readonly number[];
  /** Root volume size, GiB. @default 20 */
  readonly rootVolumeGiB?: number;
  /** Time an instance has to bootstrap and report ready. @default Duration.minutes(20) */
  readonly bootstrapTimeout?: Duration;
}

/**
 * The parent instances: a launch template (Nitro Enclaves on, IMDSv2 only with hop limit 1, encrypted gp3 root
 * volume, no key pair, no inbound access but what a load balancer is later allowed) and an Auto Scaling group
 * across the VPC's private subnets in both AZs. A launch template change (new PCR0, new artifacts, new AMI)
 * rolls the group one instance at a time, keeping `minCapacity` in service; each new instance must signal
 * CloudFormation that its rpc-proxy reports ready, or the update rolls back. ELB health checks replace an
 * instance whose enclave stops answering, and target tracking on CPU adds and removes instances.
 *
 * @example
 * ```ts
 * const fleet = new SignerFleet(this, "Fleet", { vpc, role, instanceType, env, artifacts, logs, expectedPcr0 });
 * ```
 */
export class SignerFleet extends Construct {
  public readonly autoScalingGroup: AutoScalingGroup;
  public readonly launchTemplate: LaunchTemplate;
  public readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: SignerFleetProps) {
    super(scope, id);
    const minCapacity = props.minCapacity ?? 2;
    const bootstrapTimeout = props.bootstrapTimeout ?? Duration.minutes(20);

    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      vpc: props.vpc,
      description: "nitro-eth-signer instances: JSON-RPC from the load balancer only; HTTPS out",
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), "HTTPS: AWS endpoints, S3, packages, upstream node");
    for (const port of props.extraEgressPorts ?? []) {
      if (port !== 443) this.securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(port), "Upstream Ethereum node");
    }

    const x86 = props.instanceType.architecture === InstanceArchitecture.X86_64;
    const userData = UserData.forLinux();
    this.launchTemplate = new LaunchTemplate(this, "LaunchTemplate", {
      instanceType: props.instanceType,
      machineImage:
        props.machineImage ??
        MachineImage.latestAmazonLinux2023({ cpuType: x86 ? AmazonLinuxCpuType.X86_64 : AmazonLinuxCpuType.ARM_64 }),
      userData,
      role: props.role,
      securityGroup: this.securityGroup,
      nitroEnclaveEnabled: true,
      // IMDSv2 only. Hop limit 1: every IMDS client (host-agent, SSM and CloudWatch agents) runs on the host
      // itself, no container in between; the enclave has no network and never reaches IMDS.
      requireImdsv2: true,
      httpTokens: LaunchTemplateHttpTokens.REQUIRED,
      httpEndpoint: true,
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: false,
      blockDevices: [
        {
          deviceName: "/dev/xvda",
          volume: BlockDeviceVolume.ebs(props.rootVolumeGiB ?? 20, {
            encrypted: true,
            volumeType: EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
      detailedMonitoring: true,
      ebsOptimized: true,
    });

    this.autoScalingGroup = new AutoScalingGroup(this, "Group", {
      vpc: props.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate: this.launchTemplate,
      minCapacity,
      maxCapacity: props.maxCapacity ?? 4,
      healthChecks: HealthChecks.withAdditionalChecks({
        additionalTypes: [AdditionalHealthCheckType.ELB],
        gracePeriod: bootstrapTimeout,
      }),
      signals: Signals.waitForMinCapacity({ timeout: bootstrapTimeout }),
      updatePolicy: UpdatePolicy.rollingUpdate({
        maxBatchSize: 1,
        minInstancesInService: minCapacity,
        pauseTime: bootstrapTimeout,
        waitOnResourceSignals: true,
      }),
      // Instance maintenance policy: replace an unhealthy instance by launching its successor first, one extra
      // at a time, so a replacement (or a wave of them) never lowers the capacity that is still serving.
      minHealthyPercentage: 100,
      maxHealthyPercentage: 150,
      defaultInstanceWarmup: Duration.minutes(5),
      cooldown: Duration.minutes(5),
      groupMetrics: [GroupMetrics.all()],
    });
    Validations.of(this.autoScalingGroup).acknowledge({
      id: "AwsSolutions-AS3",
      reason:
        "Scaling events are recorded in the group's activity history, in CloudTrail and in the group metrics " +
        "enabled here; an SNS topic would need its own customer-managed KMS key usable by the Auto Scaling " +
        "service-linked role and a subscriber this project cannot know, so push notifications are left to the operator.",
    });
    this.autoScalingGroup.scaleOnCpuUtilization("CpuTarget", {
      targetUtilizationPercent: props.cpuTargetPercent ?? 50,
    });

    props.logs.grantWrite(props.role);
    props.artifacts.grantRead(props.role);
    // cloudformation:SignalResource on this stack only is granted by the group itself (it has `signals`).

    const group = this.autoScalingGroup.node.defaultChild as CfnAutoScalingGroup;
    userData.addCommands(
      ...renderBootstrapScript({
        region: Stack.of(this).region,
        env: props.env,
        units: props.artifacts.units,
        binaries: props.artifacts.binaries,
        expectedPcr0: props.expectedPcr0,
        logGroups: Object.fromEntries(SERVICES.map((s) => [s, props.logs.groups[s].logGroupName])) as Record<
          (typeof SERVICES)[number],
          string
        >,
        signal: { stackName: Aws.STACK_NAME, logicalId: Stack.of(this).getLogicalId(group) },
        readyTimeoutSeconds: Math.max(60, bootstrapTimeout.toSeconds() - 300),
      }),
    );
  }
}
