/**
 * The LogsPort contract against:
 * - the real Logs Insights adapter, with moto (real) holding the log group and events and running
 *   the fields/sort/limit query, and the stand-in (in front of moto) answering the runbook's
 *   stats query (moto runs no filter/stats) with rows shaped as CloudWatch returns them;
 * - the sandbox's simulated logs (consumer-lag story).
 */
import { randomUUID } from "node:crypto";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, inject } from "vitest";
import { createCloudWatchLogs } from "../../src/adapters/aws/cloudwatch-logs.ts";
import { renderLogQuery } from "../../src/core/log-queries.ts";
import { ConsumerLagScenario } from "../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedLogs } from "../../src/sandbox/simulated/simulated-logs.ts";
import { type MonitoringStandin, startMonitoringStandin } from "../peers/aws-monitoring-standin.ts";
import { logsContract } from "./logs.contract.ts";

const end = new Date(Math.floor(Date.now() / 1000) * 1000);
const start = new Date(end.getTime() - 30 * 60_000);

let standin: MonitoringStandin | undefined;
let seeder: CloudWatchLogsClient | undefined;
afterAll(async () => {
  seeder?.destroy();
  await standin?.close();
});

logsContract("CloudWatch Logs adapter on moto + stand-in", async () => {
  const motoEndpoint = inject("motoEndpoint");
  const region = "us-east-1";
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  // moto is shared by the whole run and never reset here: a log group of our own.
  const logGroup = `ecommerce-streaming-${randomUUID().slice(0, 8)}`;
  seeder = new CloudWatchLogsClient({ region, endpoint: motoEndpoint, credentials });
  await seeder.send(new CreateLogGroupCommand({ logGroupName: logGroup }));
  await seeder.send(
    new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: "flink-taskmanager-0" }),
  );
  await seeder.send(
    new PutLogEventsCommand({
      logGroupName: logGroup,
      logStreamName: "flink-taskmanager-0",
      logEvents: [20, 15, 10, 5, 1].map((m, i) => ({
        timestamp: end.getTime() - m * 60_000,
        message: JSON.stringify({ order_id: `ORD-${i}`, error_type: "parse_error", dlq: true }),
      })),
    }),
  );
  standin = await startMonitoringStandin({ upstream: motoEndpoint });
  const dlq = renderLogQuery("dlq-by-error-type");
  standin.programQuery({
    matches: (q) => q === dlq,
    rows: [
      { error_type: "parse_error", count: "4" },
      { error_type: "validation_error", count: "1" },
    ],
    statistics: { recordsMatched: 5, recordsScanned: 5, bytesScanned: 410 },
  });
  return {
    port: createCloudWatchLogs({
      region,
      endpoint: standin.endpoint,
      credentials,
      pollIntervalMs: 100,
      requestTimeoutMs: 15_000,
    }),
    logGroup,
    start,
    end,
  };
});

logsContract("simulated logs (sandbox)", async () => ({
  port: new SimulatedLogs(new ConsumerLagScenario({ now: () => end.getTime() })),
  logGroup: "ecommerce-streaming",
  start,
  end,
}));
