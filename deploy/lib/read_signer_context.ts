import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { Construct } from "constructs";
import { ARTIFACT_PATHS, PROJECT_ROOT } from "./constants.ts";
import type { SignerStackProps } from "./signer_stack.ts";

/** Context keys the app reads (`cdk synth -c key=value` or the `context` block of cdk.json). */
export const CONTEXT_KEYS = [
  "stackName",
  "account",
  "region",
  "availabilityZones",
  "vpcCidr",
  "natGateways",
  "instanceType",
  "amiId",
  "minCapacity",
  "maxCapacity",
  "cpuTargetPercent",
  "enclaveCpuCount",
  "enclaveMemoryMib",
  "clientCidrs",
  "clientSecurityGroupIds",
  "upstreamUrl",
  "artifactBucket",
  "artifactPrefix",
  "artifactVersion",
  "distDir",
  "secretPrefix",
  "logRetentionDays",
  "keyAdminArns",
  "pcr0",
  "previousPcr0",
  "pcr8",
  "pcrsFile",
  "debug",
  "allowUnauthenticated",
] as const;

/**
 * Reads the app's context into `SignerStackProps`. Values arrive as strings from `-c key=value` and as JSON
 * from cdk.json; lists may be JSON arrays or comma-separated strings. PCR0 comes from the `pcr0` context first,
 * else from the image build's `dist/enclave/pcrs.json` (or `pcrsFile`) unless `debug` is set; the stack refuses
 * to synthesize when neither gives one and `debug` is not set. The EIF's size (for the enclave memory check) comes
 * from the local EIF in `distDir` when no `artifactBucket` is given, else from the `EifSizeBytes` of that pcrs file.
 *
 * @example
 * ```ts
 * const app = new App();
 * new SignerStack(app, "NitroSigner", readSignerContext(app));
 * ```
 */
export function readSignerContext(scope: Construct): SignerStackProps & { readonly pcr0Source: string } {
  const get = (key: (typeof CONTEXT_KEYS)[number]): unknown => scope.node.tryGetContext(key);
  const debug = bool("debug", get("debug")) ?? false;
  const region = str("region", get("region")) ?? (process.env.CDK_DEFAULT_REGION || "us-east-1");
  const account = str("account", get("account")) ?? (process.env.CDK_DEFAULT_ACCOUNT || undefined);
  const root = PROJECT_ROOT;
  const fromRoot = (p: string): string => (isAbsolute(p) ? p : resolve(root, p));

  let pcr0 = str("pcr0", get("pcr0"));
  let pcr0Source = pcr0 === undefined ? "none" : "context pcr0";
  if (pcr0 === undefined && !debug) {
    const file = fromRoot(str("pcrsFile", get("pcrsFile")) ?? join("dist", "enclave", "pcrs.json"));
    if (existsSync(file)) {
      pcr0 = readPcr0File(file);
      pcr0Source = file;
    }
  } else if (pcr0 === undefined) {
    pcr0Source = "debug (all-zero PCR0)";
  }
  const distDir = str("distDir", get("distDir"));
  const artifactBucket = str("artifactBucket", get("artifactBucket"));
  const eifSizeBytes = readEifSize(
    artifactBucket === undefined ? join(fromRoot(distDir ?? "dist"), ARTIFACT_PATHS.eif) : undefined,
    fromRoot(str("pcrsFile", get("pcrsFile")) ?? join("dist", "enclave", "pcrs.json")),
  );

  return {
    stackName: str("stackName", get("stackName")) ?? "NitroSigner",
    env: account === undefined ? { region } : { account, region },
    description: "Ethereum signer whose keys live only inside an attested AWS Nitro Enclave (nitro-eth-signer)",
    pcr0,
    pcr0Source,
    previousPcr0s: list("previousPcr0", get("previousPcr0")),
    pcr8: str("pcr8", get("pcr8")),
    debug,
    allowUnauthenticated: bool("allowUnauthenticated", get("allowUnauthenticated")) ?? false,
    availabilityZones: list("availabilityZones", get("availabilityZones")),
    vpcCidr: str("vpcCidr", get("vpcCidr")),
    natGateways: int("natGateways", get("natGateways")),
    instanceType: str("instanceType", get("instanceType")),
    amiId: str("amiId", get("amiId")),
    minCapacity: int("minCapacity", get("minCapacity")),
    maxCapacity: int("maxCapacity", get("maxCapacity")),
    cpuTargetPercent: int("cpuTargetPercent", get("cpuTargetPercent")),
    enclaveCpuCount: int("enclaveCpuCount", get("enclaveCpuCount")),
    enclaveMemoryMib: int("enclaveMemoryMib", get("enclaveMemoryMib")),
    eifSizeBytes,
    clientCidrs: list("clientCidrs", get("clientCidrs")),
    clientSecurityGroupIds: list("clientSecurityGroupIds", get("clientSecurityGroupIds")),
    upstreamUrl: str("upstreamUrl", get("upstreamUrl")),
    artifactBucket,
    artifactPrefix: str("artifactPrefix", get("artifactPrefix")),
    artifactVersion: str("artifactVersion", get("artifactVersion")),
    distDir: fromRoot(distDir ?? "dist"),
    secretPrefix: str("secretPrefix", get("secretPrefix")),
    logRetentionDays: int("logRetentionDays", get("logRetentionDays")),
    keyAdminArns: list("keyAdminArns", get("keyAdminArns")),
  };
}

/**
 * The size of the EIF this deployment starts, for the enclave memory check: the local EIF when the instances get
 * it from `dist/` (no artifactBucket), else `EifSizeBytes` that the image build recorded beside the PCRs;
 * `undefined` when neither exists (no build here: nothing to check).
 */
function readEifSize(localEif: string | undefined, pcrs: string): number | undefined {
  if (localEif !== undefined && existsSync(localEif)) return statSync(localEif).size;
  if (!existsSync(pcrs)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(pcrs, "utf8"));
  } catch {
    return undefined; // readPcr0File reports a broken file when PCR0 is read from it
  }
  const size = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>).EifSizeBytes : undefined;
  if (size === undefined) return undefined;
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size <= 0) {
    throw new TypeError(`Cannot read EifSizeBytes from ${pcrs}: expected a positive integer, got ${JSON.stringify(size)}`);
  }
  return size;
}

/** Reads `PCR0` from a `pcrs.json` written by the image build (`{ "PCR0": "<96 hex>", … }`). */
export function readPcr0File(path: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new TypeError(`Cannot read PCR0 from ${path}: not JSON`, { cause });
  }
  const value = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>).PCR0 : undefined;
  if (typeof value !== "string") throw new TypeError(`Cannot read PCR0 from ${path}: no "PCR0" string`);
  return value;
}

function str(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value.trim();
  if (typeof value === "number") return String(value);
  throw new TypeError(`Cannot read context "${key}": expected a string, got ${JSON.stringify(value)}`);
}

function int(key: string, value: unknown): number | undefined {
  const text = str(key, value);
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) throw new TypeError(`Cannot read context "${key}": expected an integer, got "${text}"`);
  return Number(text);
}

function bool(key: string, value: unknown): boolean | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (value === true || value === "true" || value === "1") return true;
  if (value === false || value === "false" || value === "0") return false;
  throw new TypeError(`Cannot read context "${key}": expected true or false, got ${JSON.stringify(value)}`);
}

function list(key: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (Array.isArray(value)) return value.map((v) => str(key, v)).filter((v): v is string => v !== undefined);
  const text = str(key, value) ?? "";
  if (text.startsWith("[")) {
    try {
      return list(key, JSON.parse(text));
    } catch (cause) {
      if (cause instanceof TypeError) throw cause;
      throw new TypeError(`Cannot read context "${key}": not a JSON list`, { cause });
    }
  }
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}
