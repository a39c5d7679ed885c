import { InstanceArchitecture, InstanceType } from "aws-cdk-lib/aws-ec2";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { checkEnclaveMemory } from "../../host-agent/mod.ts";
import { DEBUG_PCR0, DEFAULT_SECRET_PREFIX } from "./constants.ts";

/**
 * What an operator chooses about a deployment. Every field is optional except as noted; `resolveSignerSettings`
 * applies the defaults and checks the values before any resource exists, so a bad value fails the synth with a
 * one-line reason instead of a half-built template.
 */
export interface SignerOptions {
  /**
   * PCR0 of the enclave image (SHA-384, 96 hex digits): the only image whose attestation lets the instance role
   * decrypt key ciphertexts. Required unless `debug` is set.
   * @default - none: synth refuses, unless `debug`
   */
  readonly pcr0?: string | undefined;
  /**
   * PCR0 values of images being rotated out, still allowed to decrypt while the fleet rolls to `pcr0`. Drop them
   * with the next deploy (and never list an image you are revoking for a security reason).
   * @default []
   */
  readonly previousPcr0s?: readonly string[] | undefined;
  /**
   * PCR8 (hash of the EIF signing certificate) to require as well, for signed images.
   * @default - PCR8 is not checked
   */
  readonly pcr8?: string | undefined;
  /**
   * Debug deployment: without a PCR0 the key policy uses the all-zero PCR0 that every debug-mode enclave reports,
   * and the host-agent starts the enclave in debug mode. Never hold real funds with it.
   * @default false
   */
  readonly debug?: boolean | undefined;
  /**
   * Pin the two zones (names of this account, e.g. us-east-1a,us-east-1b), e.g. where the instance type is offered.
   * @default - the region's first two zones, resolved by CloudFormation at deploy time (no lookup at synth)
   */
  readonly availabilityZones?: readonly string[] | undefined;
  /** @default "10.40.0.0/16" */
  readonly vpcCidr?: string | undefined;
  /** NAT gateways: 2 (one per AZ) or 1 (cheaper; egress then depends on one AZ). @default 2 */
  readonly natGateways?: number | undefined;
  /**
   * A Nitro Enclaves capable x86_64 type with at least `enclaveCpuCount` + 2 vCPUs (Graviton is refused: the
   * signer and its image are built for x86_64 only). @default "m5a.xlarge"
   */
  readonly instanceType?: string | undefined;
  /** Pin the AMI (ami-…) instead of the latest Amazon Linux 2023 at each deploy. @default - latest AL2023 */
  readonly amiId?: string | undefined;
  /** @default 2 (also the minimum allowed: one instance per AZ) */
  readonly minCapacity?: number | undefined;
  /** Must exceed `minCapacity` so a rolling update can keep `minCapacity` in service. @default 4 */
  readonly maxCapacity?: number | undefined;
  /** Target average CPU utilization of the fleet for target-tracking scaling. @default 50 */
  readonly cpuTargetPercent?: number | undefined;
  /** vCPUs given to the enclave (an even number on x86: whole cores). @default 2 */
  readonly enclaveCpuCount?: number | undefined;
  /**
   * Memory given to the enclave, MiB. With `eifSizeBytes`, synth refuses less than `minimumEnclaveMemoryMib`
   * (4 × the EIF, nitro-cli's floor, plus the signer's measured headroom).
   * @default 1024
   */
  readonly enclaveMemoryMib?: number | undefined;
  /**
   * Size of the EIF the instances start, bytes (`EifSizeBytes` in `dist/enclave/pcrs.json`, or the local EIF).
   * @default - unknown: the enclave memory is not checked against the image
   */
  readonly eifSizeBytes?: number | undefined;
  /** IPv4 CIDRs admitted to the JSON-RPC listener. @default - `[vpcCidr]`, unless security groups are given */
  readonly clientCidrs?: readonly string[] | undefined;
  /** Security groups (sg-…) admitted to the JSON-RPC listener. @default [] */
  readonly clientSecurityGroupIds?: readonly string[] | undefined;
  /** Ethereum node URL for the rpc-proxy (visible in the launch template: prefer a URL without credentials). */
  readonly upstreamUrl?: string | undefined;
  /** Bucket holding `bin/host-agent`, `bin/rpc-proxy`, `enclave/signer.eif` under `artifactPrefix`. @default - local dist/ */
  readonly artifactBucket?: string | undefined;
  /** @default "" */
  readonly artifactPrefix?: string | undefined;
  /** Any label; changing it rolls the fleet even when PCR0 did not change (e.g. new service binaries in S3). */
  readonly artifactVersion?: string | undefined;
  /** Directory with the local build (`bin/…`, `enclave/signer.eif`), used when no `artifactBucket`. */
  readonly distDir?: string | undefined;
  /** @default "nitro-signer/keys/" */
  readonly secretPrefix?: string | undefined;
  /** Retention of the service and flow log groups, days (a value CloudWatch Logs accepts). @default 90 */
  readonly logRetentionDays?: number | undefined;
  /** IAM principals (ARNs) allowed to manage the key (never to use it). @default - the account, through IAM */
  readonly keyAdminArns?: readonly string[] | undefined;
}

/** `SignerOptions` with defaults applied and every value checked. */
export type SignerSettings = {
  readonly pcr0: string;
  readonly previousPcr0s: readonly string[];
  readonly pcr8: string | undefined;
  readonly debug: boolean;
  /** `undefined`: the region's first two zones, chosen by CloudFormation at deploy time (Fn::GetAZs). */
  readonly availabilityZones: readonly [string, string] | undefined;
  readonly vpcCidr: string;
  readonly natGateways: number;
  readonly instanceType: InstanceType;
  readonly amiId: string | undefined;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly cpuTargetPercent: number;
  readonly enclaveCpuCount: number;
  readonly enclaveMemoryMib: number;
  readonly clientCidrs: readonly string[];
  readonly clientSecurityGroupIds: readonly string[];
  readonly upstreamUrl: URL | undefined;
  readonly artifactBucket: string | undefined;
  readonly artifactPrefix: string;
  readonly artifactVersion: string | undefined;
  readonly distDir: string | undefined;
  readonly secretPrefix: string;
  readonly logRetention: RetentionDays;
  readonly keyAdminArns: readonly string[];
};

const PCR_RE = /^[0-9a-f]{96}$/;
const CIDR_RE = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(\d|[12]\d|3[0-2])$/;
const RETENTION_VALUES = new Set(
  Object.values(RetentionDays).filter((v): v is number => typeof v === "number" && v > 0),
);

/**
 * Applies the defaults of `SignerOptions` and validates them. Throws `TypeError` for a missing or malformed value
 * and `RangeError` for one out of range; the message names the context parameter to fix.
 *
 * @example
 * ```ts
 * const settings = resolveSignerSettings({ pcr0: "ab".repeat(48) }, "us-east-1");
 * settings.instanceType.toString(); // "m5a.xlarge"
 * ```
 */
export function resolveSignerSettings(options: SignerOptions, region: string): SignerSettings {
  const debug = options.debug ?? false;
  const pcr0 = resolvePcr0(options.pcr0, debug);
  const instanceType = new InstanceType(options.instanceType ?? "m5a.xlarge");
  const x86 = instanceType.architecture === InstanceArchitecture.X86_64;
  if (!x86) {
    throw new RangeError(
      `Cannot use instanceType ${instanceType.toString()}: it is ${instanceType.architecture} (Graviton), but scripts/compile.sh and ` +
        "scripts/build-enclave.sh build the signer and its enclave image for x86_64 only; choose an x86_64 Nitro type such as m5a.xlarge or m6i.xlarge",
    );
  }
  const minCapacity = integer("minCapacity", options.minCapacity ?? 2, 2, 100);
  const maxCapacity = integer("maxCapacity", options.maxCapacity ?? 4, 3, 100);
  if (maxCapacity <= minCapacity) {
    throw new RangeError(
      `Cannot use maxCapacity ${maxCapacity}: it must exceed minCapacity ${minCapacity}, so a rolling update can keep ${minCapacity} instances in service`,
    );
  }
  const enclaveCpuCount = integer("enclaveCpuCount", options.enclaveCpuCount ?? 2, x86 ? 2 : 1, 64);
  if (x86 && enclaveCpuCount % 2 !== 0) {
    throw new RangeError(`Cannot use enclaveCpuCount ${enclaveCpuCount}: x86 enclaves take whole cores (an even count)`);
  }
  const enclaveMemoryMib = integer("enclaveMemoryMib", options.enclaveMemoryMib ?? 1024, 128, 512 * 1024);
  if (options.eifSizeBytes !== undefined) checkEnclaveMemory(enclaveMemoryMib, options.eifSizeBytes, { setting: "enclaveMemoryMib" });
  const availabilityZones = options.availabilityZones;
  if (availabilityZones !== undefined) {
    const [az1, az2] = availabilityZones;
    if (availabilityZones.length !== 2 || az1 === az2 || ![az1, az2].every((az) => az?.startsWith(region))) {
      throw new RangeError(
        `Cannot use availabilityZones "${availabilityZones.join(",")}": give two distinct zones of ${region}`,
      );
    }
  }
  const vpcCidr = options.vpcCidr ?? "10.40.0.0/16";
  if (!CIDR_RE.test(vpcCidr)) throw new TypeError(`Cannot use vpcCidr "${vpcCidr}": not an IPv4 CIDR`);
  for (const cidr of options.clientCidrs ?? []) {
    if (!CIDR_RE.test(cidr)) throw new TypeError(`Cannot use clientCidrs entry "${cidr}": not an IPv4 CIDR`);
  }
  for (const id of options.clientSecurityGroupIds ?? []) {
    if (!/^sg-[0-9a-f]{8,17}$/.test(id)) {
      throw new TypeError(`Cannot use clientSecurityGroupIds entry "${id}": not a security group id (sg-…)`);
    }
  }
  const secretPrefix = options.secretPrefix ?? DEFAULT_SECRET_PREFIX;
  if (!/^[A-Za-z0-9/_+=.@-]{1,256}$/.test(secretPrefix)) {
    throw new TypeError(`Cannot use secretPrefix "${secretPrefix}": Secrets Manager names allow A-Z a-z 0-9 /_+=.@-`);
  }
  const logRetentionDays = options.logRetentionDays ?? 90;
  if (!RETENTION_VALUES.has(logRetentionDays)) {
    throw new RangeError(
      `Cannot use logRetentionDays ${logRetentionDays}: CloudWatch Logs accepts ${[...RETENTION_VALUES].sort((a, b) => a - b).join(", ")}`,
    );
  }
  const artifactBucket = options.artifactBucket;
  if (artifactBucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(artifactBucket)) {
    throw new TypeError(`Cannot use artifactBucket "${artifactBucket}": not an S3 bucket name`);
  }
  const artifactPrefix = options.artifactPrefix ?? "";
  if (!/^[A-Za-z0-9/_.=+@-]*$/.test(artifactPrefix) || artifactPrefix.startsWith("/")) {
    throw new TypeError(`Cannot use artifactPrefix "${artifactPrefix}": use a relative S3 key prefix without spaces`);
  }
  for (const arn of options.keyAdminArns ?? []) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:(root|role\/.+|user\/.+)$/.test(arn)) {
      throw new TypeError(`Cannot use keyAdminArns entry "${arn}": not an IAM role, user or account root ARN`);
    }
  }
  const amiId = options.amiId;
  if (amiId !== undefined && !/^ami-[0-9a-f]{8,17}$/.test(amiId)) {
    throw new TypeError(`Cannot use amiId "${amiId}": not an AMI id (ami-…)`);
  }
  return {
    pcr0,
    previousPcr0s: (options.previousPcr0s ?? []).map((p) => pcr("previousPcr0", p)).filter((p) => p !== pcr0),
    pcr8: options.pcr8 === undefined ? undefined : pcr("pcr8", options.pcr8),
    debug,
    availabilityZones: availabilityZones === undefined ? undefined : [availabilityZones[0]!, availabilityZones[1]!],
    vpcCidr,
    natGateways: integer("natGateways", options.natGateways ?? 2, 1, 2),
    instanceType,
    amiId,
    minCapacity,
    maxCapacity,
    cpuTargetPercent: integer("cpuTargetPercent", options.cpuTargetPercent ?? 50, 10, 90),
    enclaveCpuCount,
    enclaveMemoryMib,
    clientCidrs: options.clientCidrs ?? ((options.clientSecurityGroupIds ?? []).length === 0 ? [vpcCidr] : []),
    clientSecurityGroupIds: options.clientSecurityGroupIds ?? [],
    upstreamUrl: options.upstreamUrl === undefined ? undefined : upstream(options.upstreamUrl),
    artifactBucket,
    artifactPrefix: artifactPrefix === "" || artifactPrefix.endsWith("/") ? artifactPrefix : `${artifactPrefix}/`,
    artifactVersion: options.artifactVersion === undefined ? undefined : label("artifactVersion", options.artifactVersion),
    distDir: options.distDir,
    secretPrefix,
    logRetention: logRetentionDays as RetentionDays,
    keyAdminArns: options.keyAdminArns ?? [],
  };
}

function resolvePcr0(given: string | undefined, debug: boolean): string {
  if (given === undefined) {
    if (debug) return DEBUG_PCR0;
    throw new TypeError(
      "Cannot synthesize the signer stack without a PCR0: pass -c pcr0=<96 hex digits> (printed by nitro-cli build-enclave, " +
        "written to dist/enclave/pcrs.json by the image build), or -c debug=true for a debug-mode enclave (all-zero PCR0)",
    );
  }
  const value = pcr("pcr0", given);
  if (debug && value !== DEBUG_PCR0) {
    throw new RangeError(
      "Cannot use pcr0 with debug=true: a debug-mode enclave reports an all-zero PCR0, so it could never decrypt; drop one of them",
    );
  }
  return value;
}

function pcr(name: string, value: string): string {
  const hex = value.toLowerCase().replace(/^0x/, "");
  if (!PCR_RE.test(hex)) throw new TypeError(`Cannot use ${name} "${value}": expected 96 hex digits (SHA-384)`);
  return hex;
}

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value)) throw new TypeError(`Cannot use ${name} ${value}: expected an integer`);
  if (value < min || value > max) throw new RangeError(`Cannot use ${name} ${value}: expected ${min}..${max}`);
  return value;
}

function upstream(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError("Cannot use upstreamUrl: not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError(`Cannot use upstreamUrl: expected http: or https:, got ${url.protocol}`);
  }
  if (/[\s"\\]/.test(value)) throw new TypeError("Cannot use upstreamUrl: it contains whitespace, a quote or a backslash");
  return url;
}

function label(name: string, value: string): string {
  if (!/^[A-Za-z0-9._:+=@/-]{1,128}$/.test(value)) {
    throw new TypeError(`Cannot use ${name} "${value}": use 1-128 characters from A-Z a-z 0-9 ._:+=@/-`);
  }
  return value;
}
