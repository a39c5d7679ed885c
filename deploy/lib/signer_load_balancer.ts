import { Duration, Validations } from "aws-cdk-lib";
import type { AutoScalingGroup } from "aws-cdk-lib/aws-autoscaling";
import { type IVpc, Peer, Port, SecurityGroup, SubnetType } from "aws-cdk-lib/aws-ec2";
import {
  NetworkLoadBalancer,
  type NetworkTargetGroup,
  Protocol,
} from "aws-cdk-lib/aws-elasticloadbalancingv2";
import { Construct } from "constructs";
import { PROXY_PORT, TARGET_HEALTH_PATH } from "./constants.ts";

export interface SignerLoadBalancerProps {
  readonly vpc: IVpc;
  /** The instances behind the listener. */
  readonly targets: AutoScalingGroup;
  /**
   * IPv4 CIDRs admitted to the listener, as literals (not tokens, so the rules can be checked at synth).
   * At least one CIDR or security group is required.
   * @default []
   */
  readonly clientCidrs?: readonly string[];
  /** Security groups admitted to the listener. @default [] */
  readonly clientSecurityGroupIds?: readonly string[];
}

/**
 * The one JSON-RPC URL: an internal network load balancer in the private subnets of both AZs, a TCP listener on
 * 8545 forwarding to the rpc-proxy, and a target group whose HTTP health check is `GET /readyz/signer` (200 only
 * when the instance's enclave answers), so an instance whose enclave is down leaves rotation and, through the ELB
 * health check of the Auto Scaling group, is replaced. The NLB's security group admits 8545 only from the configured
 * client CIDRs and security groups; the instances admit 8545 only from the NLB's security group.
 *
 * @example
 * ```ts
 * const rpc = new SignerLoadBalancer(this, "Rpc", { vpc, targets: fleet.autoScalingGroup, clientCidrs: ["10.0.0.0/8"] });
 * rpc.loadBalancer.loadBalancerDnsName;
 * ```
 */
export class SignerLoadBalancer extends Construct {
  public readonly loadBalancer: NetworkLoadBalancer;
  public readonly securityGroup: SecurityGroup;
  public readonly targetGroup: NetworkTargetGroup;

  constructor(scope: Construct, id: string, props: SignerLoadBalancerProps) {
    super(scope, id);
    const port = Port.tcp(PROXY_PORT);
    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      vpc: props.vpc,
      description: "nitro-eth-signer JSON-RPC load balancer: port 8545 from the configured clients only",
      allowAllOutbound: false,
    });
    const groups = props.clientSecurityGroupIds ?? [];
    const cidrs = props.clientCidrs ?? [];
    if (cidrs.length + groups.length === 0) {
      throw new TypeError("Cannot create the JSON-RPC load balancer: no client CIDR or security group to admit");
    }
    cidrs.forEach((cidr) => this.securityGroup.addIngressRule(Peer.ipv4(cidr), port, "JSON-RPC clients"));
    groups.forEach((group) => this.securityGroup.addIngressRule(Peer.securityGroupId(group), port, "JSON-RPC clients"));

    this.loadBalancer = new NetworkLoadBalancer(this, "LoadBalancer", {
      vpc: props.vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS },
      crossZoneEnabled: true,
      securityGroups: [this.securityGroup],
    });
    Validations.of(this.loadBalancer).acknowledge({
      id: "AwsSolutions-ELB2",
      reason:
        "NLB access logs are written only for TLS listeners; this internal NLB has a TCP listener, so there would " +
        "be nothing to log. Connections are recorded by the VPC flow logs and requests by the rpc-proxy's log.",
    });

    const listener = this.loadBalancer.addListener("JsonRpc", { port: PROXY_PORT, protocol: Protocol.TCP });
    this.targetGroup = listener.addTargets("Proxy", {
      port: PROXY_PORT,
      protocol: Protocol.TCP,
      targets: [props.targets],
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        enabled: true,
        protocol: Protocol.HTTP,
        path: TARGET_HEALTH_PATH,
        port: String(PROXY_PORT),
        healthyHttpCodes: "200",
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    });
    props.targets.connections.allowFrom(this.securityGroup, port, "JSON-RPC and health checks from the NLB");
  }
}
