import { Annotations, CfnOutput, Fn, Stack, type StackProps, Tags } from "aws-cdk-lib";
import { MachineImage } from "aws-cdk-lib/aws-ec2";
import { ArnPrincipal, AccountRootPrincipal } from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import {
  EIF_PATH,
  ENCRYPTION_CONTEXT_APP,
  LOG_DIR,
  PROXY_PORT,
  SIGNER_CID,
  SIGNER_PORT,
  STATUS_FILE,
  VSOCK_PROXY_PORT,
} from "./constants.ts";
import { resolveSignerSettings, type SignerOptions, type SignerSettings } from "./resolve_signer_settings.ts";
import { API_KEYS_FILE, SignerApiKeys } from "./signer_api_keys.ts";
import { SignerArtifacts } from "./signer_artifacts.ts";
import { SignerFleet } from "./signer_fleet.ts";
import { SignerInstanceRole } from "./signer_instance_role.ts";
import { SignerKey } from "./signer_key.ts";
import { SignerLoadBalancer } from "./signer_load_balancer.ts";
import { SignerLogs } from "./signer_logs.ts";
import { SignerNetwork } from "./signer_network.ts";
import { SignerStateTable } from "./signer_state_table.ts";

/** Stack props plus the deployment's options; `env.region` defaults to "us-east-1", `env.account` may be absent. */
export interface SignerStackProps extends StackProps, SignerOptions {
  /**
   * Run the rpc-proxy without API keys: anyone the security groups admit may sign and send. Without it, the stack
   * creates the API-keys secret (`SignerApiKeys`) and the proxy refuses every request until a key is added.
   * @default false
   */
  readonly allowUnauthenticated?: boolean | undefined;
}

/**
 * Everything the signer needs on AWS (DESIGN §9): network, key, key records, fleet state table, instances, load
 * balancer, logs.
 * The region must be concrete (default us-east-1); the two AZs are resolved by CloudFormation or pinned
 * (`availabilityZones`), so synth needs no AWS lookup.
 * Refuses to synthesize without a PCR0 unless `debug` is set (then it binds the all-zero debug PCR0 and says so
 * in the `DebugMode` output).
 *
 * @example
 * ```ts
 * new SignerStack(app, "NitroSigner", { env: { region: "us-east-1" }, pcr0, upstreamUrl: "https://node.internal" });
 * ```
 */
export class SignerStack extends Stack {
  public readonly settings: SignerSettings;
  public readonly network: SignerNetwork;
  public readonly key: SignerKey;
  public readonly fleet: SignerFleet;
  public readonly loadBalancer: SignerLoadBalancer;
  public readonly logs: SignerLogs;
  public readonly artifacts: SignerArtifacts;
  /** The fleet state table (nonce leases, spend windows), shared by every instance. */
  public readonly state: SignerStateTable;
  /** Absent when the stack was made with `allowUnauthenticated`. */
  public readonly apiKeys: SignerApiKeys | undefined;
  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: SignerStackProps = {}) {
    const region = props.env?.region ?? "us-east-1";
    const settings = resolveSignerSettings(props, region);
    super(scope, id, { ...props, env: { ...props.env, region } });
    this.settings = settings;
    Tags.of(this).add("project", "nitro-eth-signer");
    if (settings.upstreamUrl === undefined) {
      Annotations.of(this).addWarningV2(
        "nitro-signer:noUpstream",
        "No upstreamUrl: the rpc-proxy has no Ethereum node to fill transactions and broadcast through. Pass -c upstreamUrl=https://…",
      );
    }
    this.zones = settings.availabilityZones === undefined
      ? [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())]
      : [...settings.availabilityZones];

    this.network = new SignerNetwork(this, "Network", {
      availabilityZones: settings.availabilityZones,
      cidr: settings.vpcCidr,
      natGateways: settings.natGateways,
      flowLogRetention: settings.logRetention,
    });
    this.logs = new SignerLogs(this, "Logs", { retention: settings.logRetention });
    const { role } = new SignerInstanceRole(this, "InstanceRole", { secretPrefix: settings.secretPrefix });
    this.key = new SignerKey(this, "Key", {
      instanceRole: role,
      pcr0: settings.pcr0,
      previousPcr0s: settings.previousPcr0s,
      pcr8: settings.pcr8,
      administrators:
        settings.keyAdminArns.length === 0
          ? [new AccountRootPrincipal()]
          : settings.keyAdminArns.map((arn) => new ArnPrincipal(arn)),
      aliasName: `alias/nitro-signer/${this.stackName}`,
    });
    this.artifacts = new SignerArtifacts(this, "Artifacts", {
      bucket: settings.artifactBucket,
      prefix: settings.artifactPrefix,
      distDir: settings.distDir,
    });

    if (props.allowUnauthenticated) {
      Annotations.of(this).addWarningV2(
        "nitro-signer:unauthenticated",
        "allowUnauthenticated: the rpc-proxy runs without API keys, so every client the security groups admit can sign and send from every account.",
      );
    }
    this.apiKeys = props.allowUnauthenticated ? undefined : new SignerApiKeys(this, "ApiKeys", { reader: role });
    this.state = new SignerStateTable(this, "State", { role });

    const upstream = settings.upstreamUrl;
    const upstreamPort = upstream === undefined ? undefined : Number(upstream.port || (upstream.protocol === "https:" ? 443 : 80));
    // /etc/nitro-signer/env: the names are the ones host-agent (daemon and key commands) and rpc-proxy read.
    const env: Record<string, string> = {
      AWS_REGION: region,
      KMS_KEY_ID: this.key.key.keyArn,
      SECRET_PREFIX: settings.secretPrefix,
      SIGNER_CID: String(SIGNER_CID),
      SIGNER_PORT: String(SIGNER_PORT),
      SIGNER_ADDRESS: `vsock://${SIGNER_CID}:${SIGNER_PORT}`,
      HOST: "0.0.0.0",
      // Clients reach the proxy through the NLB under whatever name they use for it; browsers are still stopped by
      // the Origin and Content-Type checks, and every request needs an API key unless allowUnauthenticated.
      ALLOWED_HOSTS: "*",
      ...(this.apiKeys === undefined ? {} : { API_KEYS_SECRET_ID: this.apiKeys.secret.secretArn, API_KEYS_FILE }),
      PROXY_PORT: String(PROXY_PORT),
      UPSTREAM_URL: upstream?.href ?? "",
      // The rpc-proxy's fleet state (--state-table): nonce leases and spend windows, in AWS_REGION (above).
      STATE_TABLE: this.state.table.tableName,
      VSOCK_PROXY_PORT: String(VSOCK_PROXY_PORT),
      KMS_ENCRYPTION_CONTEXT_APP: ENCRYPTION_CONTEXT_APP,
      ENCLAVE_EIF_PATH: EIF_PATH,
      ENCLAVE_CPU_COUNT: String(settings.enclaveCpuCount),
      ENCLAVE_MEMORY_MIB: String(settings.enclaveMemoryMib),
      ENCLAVE_DEBUG_MODE: String(settings.debug),
      EXPECTED_PCR0: settings.pcr0,
      STATUS_FILE: STATUS_FILE,
      SIGNER_LOG_FILE: `${LOG_DIR}/signer.log`,
      ...(settings.artifactVersion === undefined ? {} : { ARTIFACT_VERSION: settings.artifactVersion }),
    };
    this.fleet = new SignerFleet(this, "Fleet", {
      vpc: this.network.vpc,
      role,
      instanceType: settings.instanceType,
      ...(settings.amiId === undefined ? {} : { machineImage: MachineImage.genericLinux({ [region]: settings.amiId }) }),
      minCapacity: settings.minCapacity,
      maxCapacity: settings.maxCapacity,
      cpuTargetPercent: settings.cpuTargetPercent,
      env,
      artifacts: this.artifacts,
      logs: this.logs,
      expectedPcr0: settings.debug ? undefined : settings.pcr0,
      extraEgressPorts: upstreamPort === undefined ? [] : [upstreamPort],
    });
    this.network.allowEndpointsFrom(this.fleet.autoScalingGroup);
    this.loadBalancer = new SignerLoadBalancer(this, "Rpc", {
      vpc: this.network.vpc,
      targets: this.fleet.autoScalingGroup,
      clientCidrs: settings.clientCidrs,
      clientSecurityGroupIds: settings.clientSecurityGroupIds,
    });

    new CfnOutput(this, "RpcUrl", {
      description: "JSON-RPC URL (internal: reachable from the admitted client networks)",
      value: `http://${this.loadBalancer.loadBalancer.loadBalancerDnsName}:${PROXY_PORT}`,
    });
    new CfnOutput(this, "NlbDnsName", { value: this.loadBalancer.loadBalancer.loadBalancerDnsName });
    new CfnOutput(this, "KmsKeyArn", { value: this.key.key.keyArn });
    new CfnOutput(this, "AutoScalingGroupName", { value: this.fleet.autoScalingGroup.autoScalingGroupName });
    new CfnOutput(this, "SecretPrefix", { value: settings.secretPrefix });
    new CfnOutput(this, "StateTableName", {
      description: "The fleet state table (nonce leases, spend windows); retained, with deletion protection",
      value: this.state.table.tableName,
    });
    if (this.apiKeys !== undefined) {
      new CfnOutput(this, "ApiKeysSecretArn", {
        description: "The rpc-proxy's API keys (hashes only); it refuses every request until one is added (deploy/README)",
        value: this.apiKeys.secret.secretArn,
      });
    }
    new CfnOutput(this, "EnclavePcr0", {
      description: "PCR0 the key policy binds kms:Decrypt to",
      value: settings.pcr0,
    });
    if (settings.debug) {
      new CfnOutput(this, "DebugMode", {
        description: "This stack is a debug deployment",
        value:
          "DEBUG: the key policy accepts the all-zero PCR0 of debug-mode enclaves, whose memory the parent can " +
          "inspect. Any debug enclave can decrypt these keys. Do not hold real funds.",
      });
    }
  }

  /**
   * The two zones: the pinned ones, or the region's first two as CloudFormation lists them (`Fn::GetAZs`). Never
   * a context lookup, so synth works offline and needs no credentials.
   */
  override get availabilityZones(): string[] {
    return [...this.zones];
  }
}
