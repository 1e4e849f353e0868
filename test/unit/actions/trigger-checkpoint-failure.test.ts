/**
 * (a) A checkpoint the bot triggers (POST /jobs/:id/checkpoints) carries Flink's failureCause, the
 * one place Flink REST names why a checkpoint failed: the trigger's outcome says which failure type
 * it is. The status below is shaped as the real Flink answers GET /jobs/:id/checkpoints/:triggerId.
 */
import { describe, expect, it } from "vitest";
import { triggerCheckpoint } from "../../../src/actions/trigger-checkpoint.ts";
import { parseTriggerStatus } from "../../../src/adapters/flink/flink-parse.ts";
import { configSchema } from "../../../src/config/schema.ts";
import { systemClock } from "../../../src/ports/clock.ts";
import { FlinkError } from "../../../src/ports/flink.ts";
import { fakeFlinkPort } from "../../fakes/ports.ts";
import { JOB_ID } from "../../fixtures/flink-real-shapes.ts";

const config = { ...configSchema.parse({ flink: { url: "http://127.0.0.1:8081" } }), secrets: {} };

function statusWith(causes: readonly string[]) {
  const trace = [
    "org.apache.flink.runtime.checkpoint.CheckpointException: Asynchronous task checkpoint failed.",
    "\tat org.apache.flink.runtime.messages.checkpoint.SerializedCheckpointException.unwrap(SerializedCheckpointException.java:51)",
    ...causes.flatMap((c) => [`Caused by: ${c}`, "\t... 5 more"]),
  ].join("\n");
  return {
    status: { id: "COMPLETED" },
    operation: {
      failureCause: {
        class: "org.apache.flink.runtime.checkpoint.CheckpointException",
        "stack-trace": trace,
        "serialized-throwable": "rO0ABXNyADVvcmcuYXBhY2hl",
      },
    },
  };
}

const cases = [
  {
    name: "S3's 403",
    causes: [
      "java.io.IOException: Could not open output stream for state backend",
      `java.nio.file.AccessDeniedException: s3://checkpoint-bucket/state/order-processing/${JOB_ID}/chk-9/a1: PUT object on state/order-processing/${JOB_ID}/chk-9/a1: com.amazonaws.services.s3.model.AmazonS3Exception: Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: BEA0C2D9F0E4AC92)`,
    ],
    type: "A. S3 permission denied",
  },
  {
    name: "a full disk",
    causes: ["java.io.IOException: No space left on device"],
    type: "C. RocksDB disk full",
  },
];

describe("a triggered checkpoint that fails: its failureCause says the failure type", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const status = parseTriggerStatus(statusWith(c.causes));
      expect(status.state).toBe("failed");
      const reason = status.state === "failed" ? status.reason : "";
      const flink = fakeFlinkPort({
        describeTarget: "Flink REST http://127.0.0.1:8081",
        triggerCheckpoint: async () => {
          throw new FlinkError(
            "checkpoint-failed",
            `the checkpoint triggered on job 5c1e0d3f… failed: ${reason}`,
          );
        },
      });
      const run = triggerCheckpoint.execute(
        { jobId: JOB_ID },
        { config, ports: { clock: systemClock, flink } },
      );
      await expect(run).rejects.toThrow(`— ${c.type} (see \`/runbook checkpoint\` for the fix)`);
      await expect(run).rejects.toThrow(c.causes.at(-1)!.slice(0, 40));
    });
  }
});
