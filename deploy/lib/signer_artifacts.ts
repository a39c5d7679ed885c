import { existsSync } from "node:fs";
import { join } from "node:path";
import { Annotations, Aws } from "aws-cdk-lib";
import { type IRole, Policy, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Asset } from "aws-cdk-lib/aws-s3-assets";
import { Construct } from "constructs";
import { ARTIFACT_PATHS, type ArtifactName, PROJECT_ROOT } from "./constants.ts";

/** An object the instances download at boot. */
export type S3Location = { readonly bucket: string; readonly key: string };

/** Where the service binaries and the EIF come from: an S3 prefix, local `dist/` assets, or nowhere yet. */
export type ArtifactSource = "s3" | "dist" | "none";

export interface SignerArtifactsProps {
  /** Bucket with `bin/host-agent`, `bin/rpc-proxy` and `enclave/signer.eif` under `prefix`. @default - use `distDir` */
  readonly bucket?: string | undefined;
  /** Key prefix in `bucket`, "" or ending in "/". @default "" */
  readonly prefix?: string;
  /** Local build directory with the same layout, uploaded as CDK assets. @default - `<project>/dist` */
  readonly distDir?: string | undefined;
  /** The systemd units to install. @default - `<project>/host-agent/systemd` */
  readonly unitsDir?: string;
}

/**
 * The files an instance installs at boot. The systemd units are always a CDK asset (the `host-agent/systemd`
 * folder, zipped). The binaries and the EIF come from `s3://bucket/prefix…` when a bucket is given, else from the
 * local `dist/` as CDK assets when all three files are there; otherwise synth still works, with a warning, and
 * the instances fail their bootstrap (and the deploy) until a build is provided.
 *
 * @example
 * ```ts
 * const artifacts = new SignerArtifacts(this, "Artifacts", { bucket: "my-builds", prefix: "v1.2.0/" });
 * artifacts.grantRead(role);
 * ```
 */
export class SignerArtifacts extends Construct {
  public readonly units: S3Location;
  public readonly binaries: Readonly<Record<ArtifactName, S3Location>> | undefined;
  public readonly source: ArtifactSource;
  private readonly objectArns: string[] = [];

  constructor(scope: Construct, id: string, props: SignerArtifactsProps = {}) {
    super(scope, id);
    const units = new Asset(this, "SystemdUnits", { path: props.unitsDir ?? join(PROJECT_ROOT, "host-agent", "systemd") });
    this.units = { bucket: units.s3BucketName, key: units.s3ObjectKey };
    this.objectArns.push(units.bucket.arnForObjects(units.s3ObjectKey));

    const names = Object.keys(ARTIFACT_PATHS) as ArtifactName[];
    if (props.bucket !== undefined) {
      const bucket = props.bucket;
      const at = (name: ArtifactName): S3Location => ({ bucket, key: `${props.prefix ?? ""}${ARTIFACT_PATHS[name]}` });
      this.binaries = { hostAgent: at("hostAgent"), rpcProxy: at("rpcProxy"), eif: at("eif") };
      for (const name of names) {
        this.objectArns.push(`arn:${Aws.PARTITION}:s3:::${bucket}/${this.binaries[name].key}`);
      }
      this.source = "s3";
      return;
    }

    const distDir = props.distDir ?? join(PROJECT_ROOT, "dist");
    const present = names.filter((name) => existsSync(join(distDir, ARTIFACT_PATHS[name])));
    if (present.length === 0) {
      this.binaries = undefined;
      this.source = "none";
      Annotations.of(this).addWarningV2(
        "nitro-signer:noArtifacts",
        `No service binaries or EIF: neither -c artifactBucket=… nor ${distDir}/{${Object.values(ARTIFACT_PATHS).join(",")}}. ` +
          "The template is valid, but instances will fail their bootstrap until a build is provided.",
      );
      return;
    }
    if (present.length !== names.length) {
      const missing = names.filter((name) => !present.includes(name)).map((name) => ARTIFACT_PATHS[name]);
      throw new TypeError(`Cannot use the local build in ${distDir}: missing ${missing.join(", ")}`);
    }
    const asset = (name: ArtifactName): S3Location => {
      const file = new Asset(this, name, { path: join(distDir, ARTIFACT_PATHS[name]) });
      this.objectArns.push(file.bucket.arnForObjects(file.s3ObjectKey));
      return { bucket: file.s3BucketName, key: file.s3ObjectKey };
    };
    this.binaries = { hostAgent: asset("hostAgent"), rpcProxy: asset("rpcProxy"), eif: asset("eif") };
    this.source = "dist";
  }

  /** Lets `role` read exactly these objects (s3:GetObject, no wildcard, no listing). */
  grantRead(role: IRole): void {
    const policy = new Policy(this, "ReadPolicy", {
      statements: [new PolicyStatement({ sid: "ReadBootArtifacts", actions: ["s3:GetObject"], resources: this.objectArns })],
    });
    role.attachInlinePolicy(policy);
  }
}
