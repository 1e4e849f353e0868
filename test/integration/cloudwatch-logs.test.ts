/**
 * The CloudWatch Logs Insights adapter.
 *
 * Which peer answers what:
 * - moto 5.2.5 (real, from the global setup): CreateLogGroup/CreateLogStream/PutLogEvents
 *   (seeding), StartQuery and GetQueryResults for queries of `fields`, `sort` and `limit` (moto runs
 *   no `filter` or `stats`, answers Complete at once, reports no statistics, and gives @timestamp as
 *   epoch milliseconds where CloudWatch gives "2025-01-13 10:30:45.123"), ResourceNotFoundException
 *   for an unknown log group.
 * - the stand-in (test/peers/aws-monitoring-standin.ts, in front of moto): the runbooks' stats /
 *   filter queries with programmed rows and statistics, queries that stay Running (partial rows),
 *   end Failed, or never finish until StopQuery (moto has no StopQuery), throttling, and hangs.
 */
import { randomUUID } from "node:crypto";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { AwsCallError } from "../../src/adapters/aws/aws-call.ts";
import { createCloudWatchLogs } from "../../src/adapters/aws/cloudwatch-logs.ts";
import { renderLogQuery } from "../../src/core/log-queries.ts";
import { type MonitoringStandin, startMonitoringStandin } from "../peers/aws-monitoring-standin.ts";

const motoEndpoint = inject("motoEndpoint");
const region = "us-east-1";
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
/** moto is shared by every test file of the run, so no test resets it: log groups are unique per test. */
let GROUP = "ecommerce-streaming";
const end = new Date(Math.floor(Date.now() / 1000) * 1000);
const start = new Date(end.getTime() - 30 * 60_000);

let standin: MonitoringStandin;
const seeder = new CloudWatchLogsClient({ region, endpoint: motoEndpoint, credentials });

beforeAll(async () => {
  standin = await startMonitoringStandin({ upstream: motoEndpoint });
});

afterAll(async () => {
  seeder.destroy();
  await standin.close();
});

beforeEach(async () => {
  standin.reset();
  GROUP = `ecommerce-streaming-${randomUUID().slice(0, 8)}`;
});

function adapter(extra: { requestTimeoutMs?: number; queryDeadlineMs?: number } = {}) {
  return createCloudWatchLogs({
    region,
    endpoint: standin.endpoint,
    credentials,
    pollIntervalMs: 100,
    maxPollIntervalMs: 200,
    ...extra,
  });
}

async function seedEvents(): Promise<number[]> {
  await seeder.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  await seeder.send(
    new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "flink-taskmanager-0" }),
  );
  const times = [25, 20, 15, 10, 5].map((m) => end.getTime() - m * 60_000);
  await seeder.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: "flink-taskmanager-0",
      logEvents: times.map((timestamp, i) => ({
        timestamp,
        message: JSON.stringify({ order_id: `ORD-${i}`, error_type: "parse_error", dlq: true }),
      })),
    }),
  );
  return times;
}

describe("Logs Insights on moto", () => {
  it("runs a fields/sort/limit query and returns rows without @ptr, newest first", async () => {
    const times = await seedEvents();
    const result = await adapter().query({
      logGroups: [GROUP],
      query: "fields @timestamp, @message | sort @timestamp desc | limit 3",
      start,
      end,
    });
    expect(result.outcome).toBe("complete");
    expect(result.statistics).toBeUndefined(); // moto reports none
    expect(result.rows).toEqual(
      [4, 3, 2].map((i) => ({
        "@timestamp": String(times[i]),
        "@message": `{"order_id":"ORD-${i}","error_type":"parse_error","dlq":true}`,
      })),
    );
    const startCall = standin.requests.find((r) => r.operation === "StartQuery");
    expect(startCall).toMatchObject({
      forwarded: true,
      contentType: "application/x-amz-json-1.1",
      target: "Logs_20140328.StartQuery",
      body: {
        logGroupNames: [GROUP],
        queryString: "fields @timestamp, @message | sort @timestamp desc | limit 3",
        startTime: Math.floor(start.getTime() / 1000),
        endTime: Math.ceil(end.getTime() / 1000),
      },
    });
  });

  it("an unknown log group: not-found", async () => {
    const error = await adapter()
      .query({ logGroups: ["no-such-group"], query: "fields @message", start, end })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect(error).toMatchObject({
      kind: "not-found",
      message:
        "CloudWatch Logs StartQuery failed: ResourceNotFoundException: The specified log group does not exist.",
    });
  });
});

describe("Logs Insights stats queries (stand-in)", () => {
  const dlq = renderLogQuery("dlq-by-error-type");

  it("polls until Complete and returns typed rows and statistics", async () => {
    standin.programQuery({
      matches: (q) => q === dlq,
      runningPolls: 2,
      rows: [
        { error_type: "parse_error", count: "41200" },
        { error_type: "validation_error", count: "3100" },
      ],
      statistics: { recordsMatched: 44_300, recordsScanned: 1_250_000, bytesScanned: 512_000_000 },
    });
    const result = await adapter().query({ logGroups: [GROUP], query: dlq, start, end, limit: 100 });
    expect(result).toMatchObject({
      outcome: "complete",
      rows: [
        { error_type: "parse_error", count: "41200" },
        { error_type: "validation_error", count: "3100" },
      ],
      statistics: { recordsMatched: 44_300, recordsScanned: 1_250_000, bytesScanned: 512_000_000 },
    });
    expect(result.queryId).toMatch(/^standin-query-/);
    const ops = standin.requests.map((r) => r.operation);
    expect(ops).toEqual(["StartQuery", "GetQueryResults", "GetQueryResults", "GetQueryResults"]);
    expect(standin.requests[0]?.body).toMatchObject({ queryString: dlq, limit: 100 });
    expect(standin.requests[1]?.body).toEqual({ queryId: result.queryId });
    expect(standin.stoppedQueries()).toEqual([]);
  });

  it("a query still running at the deadline: StopQuery is sent and the partial rows come back", async () => {
    standin.programQuery({
      matches: (q) => q === dlq,
      neverCompletes: true,
      partialRows: [{ error_type: "parse_error", count: "900" }],
      rows: [],
    });
    const began = Date.now();
    const result = await adapter().query({ logGroups: [GROUP], query: dlq, start, end, deadlineMs: 1_500 });
    const elapsed = Date.now() - began;
    expect(result.outcome).toBe("stopped-at-deadline");
    expect(result.rows).toEqual([{ error_type: "parse_error", count: "900" }]);
    expect(result.note).toBe(
      `CloudWatch Logs query ${result.queryId} was still Running after 1.5 s; stopped it (StopQuery); 1 row had arrived, so the answer is partial`,
    );
    expect(elapsed).toBeGreaterThanOrEqual(1_400);
    expect(elapsed).toBeLessThan(1_500 + 2_000);
    const stop = standin.requests.find((r) => r.operation === "StopQuery");
    expect(stop).toMatchObject({
      target: "Logs_20140328.StopQuery",
      contentType: "application/x-amz-json-1.1",
      body: { queryId: result.queryId },
    });
    expect(standin.stoppedQueries()).toEqual([result.queryId]);
  });

  it("a query the service ends as Failed: a typed error, no StopQuery", async () => {
    standin.programQuery({ matches: () => true, finalStatus: "Failed", rows: [] });
    await expect(adapter().query({ logGroups: [GROUP], query: dlq, start, end })).rejects.toMatchObject({
      kind: "service",
      code: "QueryFailed",
      message: expect.stringMatching(/^CloudWatch Logs query standin-query-\d+ failed$/),
    });
    expect(standin.stoppedQueries()).toEqual([]);
  });

  it("GetQueryResults throttled once: retried, completes", async () => {
    standin.programQuery({
      matches: () => true,
      runningPolls: 0,
      rows: [{ error_type: "timeout", count: "2" }],
    });
    standin.faults.push({ operation: "GetQueryResults", kind: "throttle", times: 1 });
    const result = await adapter({ requestTimeoutMs: 15_000 }).query({
      logGroups: [GROUP],
      query: dlq,
      start,
      end,
    });
    expect(result.rows).toEqual([{ error_type: "timeout", count: "2" }]);
    expect(standin.requests.filter((r) => r.operation === "GetQueryResults")).toHaveLength(2);
  });

  it("StartQuery throttled every time: the throttled message", async () => {
    standin.faults.push({ operation: "StartQuery", kind: "throttle", times: Number.POSITIVE_INFINITY });
    const error = await adapter({ requestTimeoutMs: 15_000 })
      .query({ logGroups: [GROUP], query: dlq, start, end })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "throttled", code: "ThrottlingException" });
    expect((error as Error).message).toMatch(
      /^CloudWatch Logs throttled StartQuery 3 times; gave up after \d+(\.\d)? s$/,
    );
  });

  it("GetQueryResults hangs: a timeout error, and the query is stopped", async () => {
    standin.programQuery({ matches: () => true, neverCompletes: true, rows: [] });
    standin.faults.push({ operation: "GetQueryResults", kind: "hang", times: Number.POSITIVE_INFINITY });
    await expect(
      adapter({ requestTimeoutMs: 800 }).query({ logGroups: [GROUP], query: dlq, start, end }),
    ).rejects.toMatchObject({
      kind: "timeout",
      message: `CloudWatch Logs GetQueryResults: no answer from ${standin.endpoint} within 0.8 s`,
    });
    expect(standin.stoppedQueries()).toHaveLength(1);
  });

  it("the caller aborts: the query is stopped and the call rejects with the abort reason", async () => {
    standin.programQuery({ matches: () => true, neverCompletes: true, rows: [] });
    const controller = new AbortController();
    const running = adapter().query({
      logGroups: [GROUP],
      query: dlq,
      start,
      end,
      signal: controller.signal,
    });
    await expect
      .poll(() => standin.requests.filter((r) => r.operation === "GetQueryResults").length)
      .toBeGreaterThan(1);
    controller.abort(new Error("probe timed out"));
    await expect(running).rejects.toThrow("probe timed out");
    expect(standin.stoppedQueries()).toHaveLength(1);
  });
});
