import { RemovalPolicy } from "aws-cdk-lib";
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  type IConnectable,
  type IVpc,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from "aws-cdk-lib/aws-ec2";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

/** The interface endpoints every instance needs, by construct id (all with private DNS). */
export const INTERFACE_ENDPOINTS = {
  Kms: InterfaceVpcEndpointAwsService.KMS,
  SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Ssm: InterfaceVpcEndpointAwsService.SSM,
  SsmMessages: InterfaceVpcEndpointAwsService.SSM_MESSAGES,
  Ec2Messages: InterfaceVpcEndpointAwsService.EC2_MESSAGES,
  EcrApi: InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: InterfaceVpcEndpointAwsService.ECR_DOCKER,
  CloudWatchLogs: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
} as const;

export interface SignerNetworkProps {
  /** The two zones to span. @default - the stack's first two availability zones */
  readonly availabilityZones?: readonly string[] | undefined;
  /** @default "10.40.0.0/16" */
  readonly cidr?: string;
  /** One per AZ (2) or a single shared one (1). @default 2 */
  readonly natGateways?: number;
  /** Retention of the VPC flow log group. @default RetentionDays.THREE_MONTHS */
  readonly flowLogRetention?: RetentionDays;
}

/**
 * The VPC of DESIGN §9: private subnets (instances and the NLB) and public subnets that hold only the NAT
 * gateways, flow logs of all traffic, interface endpoints with private DNS for every AWS service the instances
 * call, and gateway endpoints for S3 and DynamoDB. The interface endpoints admit HTTPS only from what `allowEndpointsFrom` names.
 *
 * @example
 * ```ts
 * const network = new SignerNetwork(this, "Network", { availabilityZones: ["us-east-1a", "us-east-1b"] });
 * network.allowEndpointsFrom(fleet.autoScalingGroup);
 * ```
 */
export class SignerNetwork extends Construct {
  public readonly vpc: IVpc;
  /** Shared by all interface endpoints; no ingress until `allowEndpointsFrom`. */
  public readonly endpointSecurityGroup: SecurityGroup;
  public readonly flowLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SignerNetworkProps) {
    super(scope, id);
    const vpc = new Vpc(this, "Vpc", {
      ipAddresses: IpAddresses.cidr(props.cidr ?? "10.40.0.0/16"),
      ...(props.availabilityZones === undefined
        ? { maxAzs: 2 }
        : { availabilityZones: [...props.availabilityZones] }),
      natGateways: props.natGateways ?? 2,
      restrictDefaultSecurityGroup: true,
      subnetConfiguration: [
        // NAT gateways only: nothing else is ever placed here, and nothing here gets a public IP on launch.
        { name: "Nat", subnetType: SubnetType.PUBLIC, cidrMask: 26, mapPublicIpOnLaunch: false },
        { name: "Private", subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      ],
    });
    // aws-cdk-lib's classes declare optional members as `T | undefined` while its interfaces say `T`, which
    // exactOptionalPropertyTypes rejects; the assertion is the one place this project bridges the two.
    this.vpc = vpc as IVpc;

    this.flowLogGroup = new LogGroup(this, "FlowLogs", {
      retention: props.flowLogRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.vpc.addFlowLog("FlowLog", {
      destination: FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
      trafficType: FlowLogTrafficType.ALL,
    });

    this.endpointSecurityGroup = new SecurityGroup(this, "EndpointSecurityGroup", {
      vpc: this.vpc,
      description: "AWS service interface endpoints: HTTPS from the signer instances only",
      allowAllOutbound: false,
    });
    const subnets = { subnetType: SubnetType.PRIVATE_WITH_EGRESS };
    for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
      this.vpc.addInterfaceEndpoint(name, {
        service,
        privateDnsEnabled: true,
        subnets,
        securityGroups: [this.endpointSecurityGroup],
        open: false,
      });
    }
    this.vpc.addGatewayEndpoint("S3", { service: GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
    // The fleet state table (SignerStateTable): a route on the private subnets' route tables, so the rpc-proxy's
    // DynamoDB calls stay off the NAT gateways (no charge, no security group; IAM limits them to the table).
    this.vpc.addGatewayEndpoint("DynamoDb", { service: GatewayVpcEndpointAwsService.DYNAMODB, subnets: [subnets] });
  }

  /** Admits HTTPS from `peer` to every interface endpoint. */
  allowEndpointsFrom(peer: IConnectable): void {
    this.endpointSecurityGroup.connections.allowFrom(peer, Port.tcp(443), "HTTPS to the AWS service endpoints");
  }
}
