/**
 * LogsPort over CloudWatch Logs Insights: StartQuery, then GetQueryResults until the status is
 * terminal (Complete, Failed, Cancelled, Timeout) or our deadline passes; at the deadline (or on
 * abort, or when polling fails) the query is stopped with StopQuery, so it does not keep running
 * and holding one of the account's concurrent-query slots.
 *
 * Wire protocol: @aws-sdk/client-cloudwatch-logs sends AWS JSON 1.1 (`X-Amz-Target:
 * Logs_20140328.StartQuery|GetQueryResults|StopQuery`). startTime/endTime are epoch seconds.
 * Result rows are lists of {field, value}; every row carries `@ptr` (a pointer for GetLogRecord),
 * which we drop. Statistics (recordsMatched, recordsScanned, bytesScanned) come with every
 * GetQueryResults answer from CloudWatch; moto sends none.
 */
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  type ResultField,
  StartQueryCommand,
  StopQueryCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import type {
  LogQueryRequest,
  LogQueryResult,
  LogQueryStatistics,
  LogRow,
  LogsPort,
} from "../../ports/logs.ts";
import {
  AwsCallError,
  type AwsClientOptions,
  awsClientConfig,
  callAws,
  describeAwsTarget,
} from "./aws-call.ts";

export interface CloudWatchLogsOptions extends AwsClientOptions {
  /** How long a query may run before it is stopped, unless the request says otherwise. Default 30 s. */
  readonly queryDeadlineMs?: number;
  /** First wait between GetQueryResults polls; it grows by half each poll up to `maxPollIntervalMs`. Default 500 ms. */
  readonly pollIntervalMs?: number;
  /** Default 2 s. */
  readonly maxPollIntervalMs?: number;
}

export const DEFAULT_LOG_QUERY_DEADLINE_MS = 30_000;

function toRow(fields: readonly ResultField[]): LogRow {
  const row: Record<string, string> = {};
  for (const { field, value } of fields) {
    if (field === undefined || field === "@ptr") continue;
    row[field] = value ?? "";
  }
  return row;
}

function toStatistics(output: GetQueryResultsCommandOutput): LogQueryStatistics | undefined {
  const s = output.statistics;
  if (s === undefined) return undefined;
  return {
    recordsMatched: s.recordsMatched ?? 0,
    recordsScanned: s.recordsScanned ?? 0,
    bytesScanned: s.bytesScanned ?? 0,
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 10 ? `${Math.round(s * 10) / 10} s` : `${Math.round(s)} s`;
}

export function createCloudWatchLogs(options: CloudWatchLogsOptions): LogsPort {
  const client = new CloudWatchLogsClient(awsClientConfig(options));
  const ctx = (operation: string) => ({ service: "CloudWatch Logs", operation, options });

  /** Stops a query; returns a sentence when that failed (the query may still run), undefined when it worked. */
  async function stop(queryId: string): Promise<string | undefined> {
    try {
      const output = await callAws(ctx("StopQuery"), (abortSignal) =>
        client.send(new StopQueryCommand({ queryId }), { abortSignal }),
      );
      return output.success === false ? `StopQuery for ${queryId} reported no success` : undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  async function query(request: LogQueryRequest): Promise<LogQueryResult> {
    const deadlineMs = request.deadlineMs ?? options.queryDeadlineMs ?? DEFAULT_LOG_QUERY_DEADLINE_MS;
    const began = performance.now();
    const deadline = began + deadlineMs;
    const { signal } = request;
    signal?.throwIfAborted();
    const withCaller = (own: AbortSignal): AbortSignal => (signal ? AbortSignal.any([own, signal]) : own);

    const started = await callAws(ctx("StartQuery"), (abortSignal) =>
      client.send(
        new StartQueryCommand({
          logGroupNames: [...request.logGroups],
          queryString: request.query,
          startTime: Math.floor(request.start.getTime() / 1000),
          endTime: Math.ceil(request.end.getTime() / 1000),
          ...(request.limit === undefined ? {} : { limit: request.limit }),
        }),
        { abortSignal: withCaller(abortSignal) },
      ),
    ).catch((error: unknown) => {
      signal?.throwIfAborted();
      throw error;
    });
    const queryId = started.queryId;
    if (queryId === undefined) {
      throw new AwsCallError("service", "NoQueryId", "CloudWatch Logs StartQuery answered without a queryId");
    }

    let interval = options.pollIntervalMs ?? 500;
    const maxInterval = options.maxPollIntervalMs ?? 2_000;
    let rows: LogRow[] = [];
    let statistics: LogQueryStatistics | undefined;
    try {
      for (;;) {
        const output = await callAws(ctx("GetQueryResults"), (abortSignal) =>
          client.send(new GetQueryResultsCommand({ queryId }), { abortSignal: withCaller(abortSignal) }),
        );
        rows = (output.results ?? []).map(toRow);
        statistics = toStatistics(output);
        const elapsedMs = performance.now() - began;
        switch (output.status) {
          case "Complete":
            return {
              queryId,
              outcome: "complete",
              rows,
              ...(statistics ? { statistics } : {}),
              elapsedMs,
            };
          case "Failed":
            throw new AwsCallError("service", "QueryFailed", `CloudWatch Logs query ${queryId} failed`);
          case "Cancelled":
            throw new AwsCallError(
              "service",
              "QueryCancelled",
              `CloudWatch Logs query ${queryId} was cancelled before it finished`,
            );
          case "Timeout":
            throw new AwsCallError(
              "timeout",
              "QueryTimeout",
              `CloudWatch Logs ended query ${queryId} as Timeout (it ran past the service's limit)`,
            );
          default:
            break; // Scheduled, Running, Unknown: keep waiting
        }
        const remaining = deadline - performance.now();
        if (remaining <= 0) {
          const stopProblem = await stop(queryId);
          const so = `${rows.length} row${rows.length === 1 ? "" : "s"} had arrived`;
          return {
            queryId,
            outcome: "stopped-at-deadline",
            rows,
            ...(statistics ? { statistics } : {}),
            elapsedMs: performance.now() - began,
            note:
              `CloudWatch Logs query ${queryId} was still ${output.status ?? "running"} after ${seconds(deadlineMs)}; ` +
              (stopProblem === undefined
                ? `stopped it (StopQuery); ${so}, so the answer is partial`
                : `could not stop it (${stopProblem}); ${so}, so the answer is partial`),
          };
        }
        await sleep(Math.min(interval, remaining), signal);
        interval = Math.min(maxInterval, Math.round(interval * 1.5));
      }
    } catch (error) {
      // Do not leave a query running when we stop waiting for it for any other reason.
      if (!(error instanceof AwsCallError && error.code.startsWith("Query"))) await stop(queryId);
      signal?.throwIfAborted();
      throw error;
    }
  }

  return { describeTarget: describeAwsTarget("CloudWatch Logs", options), query };
}
