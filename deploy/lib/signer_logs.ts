import { RemovalPolicy } from "aws-cdk-lib";
import type { IGrantable } from "aws-cdk-lib/aws-iam";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { SERVICES, type ServiceName } from "./constants.ts";

export interface SignerLogsProps {
  /** @default RetentionDays.THREE_MONTHS */
  readonly retention?: RetentionDays;
}

/**
 * One CloudWatch log group per service (signer, host-agent, rpc-proxy), with retention. The CloudWatch agent on
 * each instance ships `/var/log/nitro-signer/<service>.log` into them, one stream per instance. The groups are
 * retained when the stack is deleted: they are the audit trail of what was signed.
 *
 * @example
 * ```ts
 * const logs = new SignerLogs(this, "Logs", { retention: RetentionDays.THREE_MONTHS });
 * logs.grantWrite(role);
 * ```
 */
export class SignerLogs extends Construct {
  public readonly groups: Readonly<Record<ServiceName, LogGroup>>;

  constructor(scope: Construct, id: string, props: SignerLogsProps = {}) {
    super(scope, id);
    const make = (service: ServiceName): LogGroup =>
      new LogGroup(this, service, {
        retention: props.retention ?? RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.groups = { "signer": make("signer"), "host-agent": make("host-agent"), "rpc-proxy": make("rpc-proxy") };
  }

  /** Lets `grantee` create streams and put events in the three groups, and nothing else. */
  grantWrite(grantee: IGrantable): void {
    for (const service of SERVICES) this.groups[service].grantWrite(grantee);
  }
}
