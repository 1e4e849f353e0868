/**
 * trigger-checkpoint through prepare -> recheck -> execute, on the real Flink REST adapter against
 * the local JobManager REST peer (test/peers/flink-rest-server.ts): the POST that triggers the
 * checkpoint is asserted exactly, then the adapter polls the trigger until Flink reports it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ActionContext, ActionRefusal } from "../../src/actions/action.ts";
import { triggerCheckpoint } from "../../src/actions/trigger-checkpoint.ts";
import { createFlinkRest } from "../../src/adapters/flink/flink-rest.ts";
import { systemClock } from "../../src/ports/clock.ts";
import { FlinkError } from "../../src/ports/flink.ts";
import { type FlinkRestServer, startFlinkRestServer } from "../peers/flink-rest-server.ts";
import { testConfig } from "../unit/actions/config.ts";

let server: FlinkRestServer;
let ctx: ActionContext;

beforeEach(async () => {
  server = await startFlinkRestServer();
  ctx = {
    config: testConfig({ flink: { url: server.url, jobName: "order-processing" } }),
    ports: {
      clock: systemClock,
      flink: createFlinkRest({
        url: server.url,
        timeoutMs: 5_000,
        pollIntervalMs: 50,
        triggerDeadlineMs: 2_000,
      }),
    },
  };
});

afterEach(async () => {
  await server.stop();
});

const posts = () => server.requests.filter((r) => r.method !== "GET");

describe("trigger-checkpoint", () => {
  it("previews the pipeline's job, triggers one checkpoint and reports the id Flink completed", async () => {
    const params = { jobId: server.jobId };
    const prepared = await triggerCheckpoint.prepare(params, ctx);
    expect(prepared).toEqual({
      params,
      preview: `trigger a checkpoint of Flink job order-processing (${server.jobId.slice(0, 8)}…, RUNNING) through Flink REST and wait for its outcome`,
    });
    expect(await triggerCheckpoint.recheck(params, ctx)).toBeUndefined();
    expect(posts()).toEqual([]);

    const result = await triggerCheckpoint.execute(params, ctx);
    expect(posts()).toEqual([
      {
        method: "POST",
        path: `/jobs/${server.jobId}/checkpoints`,
        query: {},
        contentType: "application/json",
        body: { checkpointType: "CONFIGURED" },
      },
    ]);
    const [requestId] = [...server.triggers.keys()];
    expect(result.details).toEqual({
      jobId: server.jobId,
      checkpointId: 1043,
      requestId,
      waitedMs: expect.any(Number),
    });
    expect(result.message).toMatch(
      new RegExp(`^checkpoint 1043 of job ${server.jobId.slice(0, 8)}… completed after \\d+\\.\\d s$`),
    );
    const polls = server.requests.filter((r) => r.path === `/jobs/${server.jobId}/checkpoints/${requestId}`);
    expect(polls.length).toBeGreaterThan(0);
  });

  it("a checkpoint that fails fails the execution with Flink's reason", async () => {
    server.state.triggerOutcome = "fail";
    const error = await triggerCheckpoint.execute({ jobId: server.jobId }, ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlinkError);
    expect((error as Error).message).toMatch(/failed: .*Checkpoint expired before completing/);
    expect(posts()).toHaveLength(1);
  });

  it("refuses a job that is not running any more, or is not the pipeline's", async () => {
    const params = { jobId: server.jobId };
    await triggerCheckpoint.prepare(params, ctx);
    server.state.jobs[0]!.state = "RESTARTING";
    expect(await triggerCheckpoint.recheck(params, ctx)).toBe(
      "job order-processing is RESTARTING: only a RUNNING job takes checkpoints",
    );
    const other = await triggerCheckpoint.prepare({ jobId: "0".repeat(32) }, ctx).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(ActionRefusal);
    expect((other as Error).message).toBe(
      `job 00000000… is not the pipeline's job (order-processing is ${server.jobId.slice(0, 8)}…)`,
    );
    expect(posts()).toEqual([]);
  });
});
