/**
 * Trigger a checkpoint: the seed's "Trigger manual checkpoint" (Verify Fix, checkpoint failure)
 * through Flink REST (POST /jobs/:jid/checkpoints, Flink 1.17+), then the outcome is polled until
 * Flink reports it complete or failed. Only the pipeline's job, only while it is RUNNING. Adds
 * one checkpoint's I/O and changes nothing else: low risk.
 */
import { z } from "zod";
import { type CheckpointFailureKind, classifyCheckpointFailureText } from "../core/checkpoint-failure.ts";
import { FlinkError, type FlinkJobSummary, type FlinkPort, isFlinkError } from "../ports/flink.ts";
import { type ActionContext, type ActionDefinition, ActionRefusal } from "./action.ts";
import { parseParams } from "./parse-params.ts";
import { refusalOf, requirePort } from "./require-port.ts";

const paramsSchema = z
  .object({
    /** Flink's job id: 32 hex digits. */
    jobId: z.string().regex(/^[0-9a-f]{32}$/, "a Flink job id (32 hex digits)"),
  })
  .strict();

export type TriggerCheckpointParams = z.infer<typeof paramsSchema>;

export function shortId(id: string): string {
  return `${id.slice(0, 8)}…`;
}

export function checkpointPreview(job: FlinkJobSummary): string {
  return `trigger a checkpoint of Flink job ${job.name} (${shortId(job.id)}, ${job.state}) through Flink REST and wait for its outcome`;
}

/** The pipeline's job, which must be the one in the params and RUNNING. */
async function plan(params: TriggerCheckpointParams, ctx: ActionContext): Promise<FlinkJobSummary> {
  const flink: FlinkPort = requirePort(ctx.ports.flink, "Flink REST");
  const job = await flink.findJob(ctx.config.flink?.jobName).catch((error: unknown) => {
    // No job, or several RUNNING ones without a configured name: a reason, not a failure to read.
    if (isFlinkError(error) && (error.kind === "no-job" || error.kind === "ambiguous-job")) {
      throw new ActionRefusal(error.message);
    }
    throw error;
  });
  if (job.id !== params.jobId) {
    throw new ActionRefusal(
      `job ${shortId(params.jobId)} is not the pipeline's job (${job.name} is ${shortId(job.id)})`,
    );
  }
  if (job.state !== "RUNNING") {
    throw new ActionRefusal(`job ${job.name} is ${job.state}: only a RUNNING job takes checkpoints`);
  }
  return job;
}

export const triggerCheckpoint: ActionDefinition<TriggerCheckpointParams> = {
  id: "trigger-checkpoint",
  title: "Trigger a checkpoint",
  risk: "low",
  parse(raw) {
    return parseParams(paramsSchema, raw, () => []);
  },
  async prepare(params, ctx) {
    return { params, preview: checkpointPreview(await plan(params, ctx)) };
  },
  async recheck(params, ctx) {
    return refusalOf(() => plan(params, ctx));
  },
  outcomeCheck(params) {
    return `the checkpoints of Flink job ${params.jobId} (GET /jobs/${params.jobId}/checkpoints): a new one after the request if it applied`;
  },
  async execute(params, ctx) {
    const flink = requirePort(ctx.ports.flink, "Flink REST");
    const done = await flink.triggerCheckpoint(params.jobId).catch((error: unknown) => {
      throw withFailureType(error);
    });
    return {
      message: `checkpoint ${done.checkpointId} of job ${shortId(params.jobId)} completed after ${(done.waitedMs / 1000).toFixed(1)} s`,
      details: {
        jobId: params.jobId,
        checkpointId: done.checkpointId,
        requestId: done.requestId,
        waitedMs: done.waitedMs,
      },
    };
  },
};

const FAILURE_TYPE: Record<Exclude<CheckpointFailureKind, "unknown">, string> = {
  "s3-access-denied": "A. S3 permission denied",
  "kms-denied": "B. KMS key denied",
  "disk-full": "C. RocksDB disk full",
  timeout: "D. S3 upload timeout",
};

/**
 * A triggered checkpoint that failed carries Flink's failureCause (its last Caused by in the
 * message): the one place Flink REST names why a checkpoint failed. Say which failure type it is.
 */
export function withFailureType(error: unknown): unknown {
  if (!isFlinkError(error) || error.kind !== "checkpoint-failed") return error;
  const c = classifyCheckpointFailureText(error.message);
  if (c.kind === "unknown") return error;
  return new FlinkError(
    "checkpoint-failed",
    `${error.message} — ${FAILURE_TYPE[c.kind]} (see \`/runbook checkpoint\` for the fix)`,
    error.status,
    { cause: error },
  );
}
