/** The firehose-delivery-failure diagnosis read from probe results, and the names the steps show. */
import type { AppConfig } from "../../config/schema.ts";
import type { EvidenceBlock } from "../../core/finding.ts";
import type { ProbeResults } from "../../core/runbook.ts";
import type { DeliveryStreamInfo } from "../../ports/firehose.ts";
import { diagnoseFirehose, type FirehoseDiagnosis } from "./diagnose.ts";
import { firehoseSignals, s3DestinationOf } from "./signals.ts";

export function diagnosisOf(results: ProbeResults): FirehoseDiagnosis {
  return diagnoseFirehose(firehoseSignals(results));
}

export function hhmm(at: Date): string {
  return `${at.toISOString().slice(11, 16)} UTC`;
}

export const code = (text: string): EvidenceBlock => ({ kind: "code", text });

export function bucketName(bucketArn: string): string {
  return bucketArn.replace(/^arn:aws[a-z-]*:s3:::/, "");
}

export function accountOf(stream: DeliveryStreamInfo | undefined): string {
  return /^arn:aws[a-z-]*:[a-z]+:[a-z0-9-]*:(\d{12}):/.exec(stream?.arn ?? "")?.[1] ?? "ACCOUNT";
}

/** The role Firehose delivers as: the destination's role, else the configured one. */
export function deliveryRole(
  stream: DeliveryStreamInfo | undefined,
  config: AppConfig,
): { name: string; arn: string } {
  const roleArn = s3DestinationOf(stream)?.s3.roleArn;
  const name = roleArn?.split("/").at(-1) ?? config.pipeline.firehoseRoleName;
  return {
    name,
    arn: roleArn ?? `arn:aws:iam::${accountOf(stream)}:role/${config.pipeline.firehoseRoleName}`,
  };
}
