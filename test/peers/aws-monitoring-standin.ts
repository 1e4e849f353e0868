/**
 * A small local HTTP server that speaks the CloudWatch and CloudWatch Logs wire protocols for what
 * moto 5.2.5 cannot do, and passes everything else through to moto ("in front of" it):
 *
 * - CloudWatch, AWS JSON 1.0 (what @aws-sdk/client-cloudwatch 3.1164 sends: POST /,
 *   `Content-Type: application/x-amz-json-1.0`, `X-Amz-Target: GraniteServiceVersion20100801.<Op>`,
 *   `x-amzn-query-mode: true`). GetMetricData queries whose Stat is a percentile (p50, p99, ...)
 *   are answered from programmed series (moto computes no percentiles; it answers null values);
 *   the other queries of the same request go to moto and the results are merged in request order.
 *   Results are `{Id, Label, Timestamps: [epoch seconds], Values, StatusCode}`; with `pageSize`
 *   a long programmed series is paged (StatusCode PartialData + NextToken), as CloudWatch does.
 * - CloudWatch Logs, AWS JSON 1.1 (`application/x-amz-json-1.1`, `X-Amz-Target:
 *   Logs_20140328.StartQuery|GetQueryResults|StopQuery`). A StartQuery whose queryString a
 *   programmed query matches is answered here (moto runs no filter/stats commands and has no
 *   StopQuery): GetQueryResults answers Scheduled/Running for `runningPolls` polls (with partial
 *   rows when given), then the final status, rows and statistics; `neverCompletes` keeps it Running
 *   until StopQuery, which turns it Cancelled. Other queries go to moto.
 * - Faults, per operation: throttling (HTTP 400, CloudWatch: `x-amzn-query-error: Throttling;Sender`
 *   with the coral ThrottlingException type, Logs: `__type: ThrottlingException`, both "Rate
 *   exceeded", as the services answer), HTTP 500, 403 AccessDenied, or a hang (the request is read
 *   and never answered), for the next `times` calls.
 *
 * Every request is recorded (operation, content type, parsed body) for assertions.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type StandinService = "CloudWatch" | "Logs";

export interface RecordedRequest {
  readonly service: StandinService | "unknown";
  /** GetMetricData, StartQuery, ... */
  readonly operation: string;
  readonly contentType: string | undefined;
  readonly target: string | undefined;
  readonly body: Record<string, unknown>;
  /** true when it was passed through to moto. */
  readonly forwarded: boolean;
}

export type FaultKind = "throttle" | "error500" | "denied" | "hang";

export interface Fault {
  readonly operation: string;
  readonly kind: FaultKind;
  /** How many calls it affects; Infinity for all. */
  times: number;
}

export interface ProgrammedMetric {
  readonly namespace: string;
  readonly metric: string;
  readonly dimensions?: Readonly<Record<string, string>>;
  readonly stat: string;
  readonly points: readonly { readonly at: Date; readonly value: number }[];
}

export interface ProgrammedQuery {
  /** Which query strings this answers. */
  readonly matches: (queryString: string) => boolean;
  readonly rows: readonly Readonly<Record<string, string>>[];
  readonly statistics?: { recordsMatched: number; recordsScanned: number; bytesScanned: number };
  /** GetQueryResults answers Running this many times before the final status. Default 1. */
  readonly runningPolls?: number;
  /** Rows returned while Running (partial results). */
  readonly partialRows?: readonly Readonly<Record<string, string>>[];
  readonly finalStatus?: "Complete" | "Failed" | "Cancelled" | "Timeout";
  /** Stays Running until StopQuery. */
  readonly neverCompletes?: boolean;
}

interface RunningQuery {
  readonly id: string;
  readonly program: ProgrammedQuery;
  readonly request: Record<string, unknown>;
  polls: number;
  stopped: boolean;
}

export interface MonitoringStandin {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  readonly faults: Fault[];
  /** Paging of programmed GetMetricData results: at most this many datapoints per answer. */
  pageSize: number | undefined;
  programMetric(metric: ProgrammedMetric): void;
  programQuery(query: ProgrammedQuery): void;
  /** StopQuery calls received, by queryId. */
  stoppedQueries(): string[];
  /** Forget programs, faults and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const CLOUDWATCH_TARGET = "GraniteServiceVersion20100801.";
const LOGS_TARGET = "Logs_20140328.";

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function sameDimensions(
  a: Readonly<Record<string, string>> | undefined,
  b: readonly { Name?: string; Value?: string }[] | undefined,
): boolean {
  const left = Object.entries(a ?? {}).sort(([x], [y]) => x.localeCompare(y));
  const right = (b ?? [])
    .map((d) => [d.Name ?? "", d.Value ?? ""] as const)
    .sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify(left) === JSON.stringify(right);
}

function isPercentile(stat: unknown): boolean {
  return typeof stat === "string" && /^p\d/.test(stat);
}

export async function startMonitoringStandin(
  options: { upstream?: string } = {},
): Promise<MonitoringStandin> {
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  let metrics: ProgrammedMetric[] = [];
  let programs: ProgrammedQuery[] = [];
  const queries = new Map<string, RunningQuery>();
  const stopped: string[] = [];
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  let nextQuery = 1;
  const state = { pageSize: undefined as number | undefined };

  const send = (
    response: ServerResponse,
    status: number,
    service: StandinService,
    body: unknown,
    extraHeaders: Record<string, string> = {},
  ): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      "content-type": service === "CloudWatch" ? "application/x-amz-json-1.0" : "application/x-amz-json-1.1",
      "content-length": Buffer.byteLength(text),
      "x-amzn-requestid": `standin-${requests.length}`,
      ...extraHeaders,
    });
    response.end(text);
  };

  const sendError = (
    response: ServerResponse,
    service: StandinService,
    status: number,
    type: string,
    queryCode: string,
    message: string,
  ): void => {
    send(
      response,
      status,
      service,
      { __type: type, message },
      service === "CloudWatch"
        ? { "x-amzn-query-error": `${queryCode};${status >= 500 ? "Receiver" : "Sender"}` }
        : {},
    );
  };

  async function forward(
    request: IncomingMessage,
    raw: string,
    bodyOverride?: string,
  ): Promise<{ status: number; headers: Headers; text: string }> {
    if (options.upstream === undefined) throw new Error("no upstream");
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "x-amz-target", "x-amzn-query-mode", "authorization", "x-amz-date"]) {
      const value = request.headers[name];
      if (typeof value === "string") headers[name] = value;
    }
    const answer = await fetch(`${options.upstream}/`, {
      method: "POST",
      headers,
      body: bodyOverride ?? raw,
    });
    return { status: answer.status, headers: answer.headers, text: await answer.text() };
  }

  async function relay(request: IncomingMessage, response: ServerResponse, raw: string): Promise<void> {
    const answer = await forward(request, raw);
    const headers: Record<string, string> = {};
    for (const name of ["content-type", "x-amzn-query-error", "x-amzn-requestid"]) {
      const value = answer.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    response.writeHead(answer.status, { ...headers, "content-length": Buffer.byteLength(answer.text) });
    response.end(answer.text);
  }

  function programmedPoints(query: Record<string, unknown>, start: number, end: number, ascending: boolean) {
    const stat = query.MetricStat as
      | {
          Metric?: {
            Namespace?: string;
            MetricName?: string;
            Dimensions?: { Name?: string; Value?: string }[];
          };
          Stat?: string;
        }
      | undefined;
    const program = metrics.find(
      (m) =>
        m.namespace === stat?.Metric?.Namespace &&
        m.metric === stat?.Metric?.MetricName &&
        m.stat === stat?.Stat &&
        sameDimensions(m.dimensions, stat?.Metric?.Dimensions),
    );
    const points = (program?.points ?? [])
      .filter((p) => p.at.getTime() >= start && p.at.getTime() < end)
      .sort((a, b) => (ascending ? 1 : -1) * (a.at.getTime() - b.at.getTime()));
    return points;
  }

  async function getMetricData(
    request: IncomingMessage,
    response: ServerResponse,
    raw: string,
    body: Record<string, unknown>,
  ): Promise<void> {
    const all = (body.MetricDataQueries as Record<string, unknown>[] | undefined) ?? [];
    const ours = all.filter((q) => isPercentile((q.MetricStat as { Stat?: unknown } | undefined)?.Stat));
    const theirs = all.filter((q) => !ours.includes(q));
    const toSeconds = (v: unknown): number =>
      typeof v === "number" ? v * 1000 : new Date(String(v)).getTime();
    const start = toSeconds(body.StartTime);
    const end = toSeconds(body.EndTime);
    if (!(start < end)) {
      sendError(
        response,
        "CloudWatch",
        400,
        "com.amazonaws.cloudwatch#InvalidParameterValueException",
        "InvalidParameterValue",
        "The parameter StartTime must be less than the parameter EndTime.",
      );
      return;
    }
    const ascending = body.ScanBy === "TimestampAscending";
    let upstream: Record<string, unknown>[] = [];
    if (theirs.length > 0) {
      const answer = await forward(request, raw, JSON.stringify({ ...body, MetricDataQueries: theirs }));
      if (answer.status !== 200) {
        response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" });
        response.end(answer.text);
        return;
      }
      upstream =
        (JSON.parse(answer.text) as { MetricDataResults?: Record<string, unknown>[] }).MetricDataResults ??
        [];
    }
    const offset = typeof body.NextToken === "string" ? Number(body.NextToken) : 0;
    let more = false;
    const results = all.map((q) => {
      if (!ours.includes(q))
        return upstream.find((r) => r.Id === q.Id) ?? { Id: q.Id, StatusCode: "Complete" };
      const points = programmedPoints(q, start, end, ascending);
      const page =
        state.pageSize === undefined ? points.slice(offset) : points.slice(offset, offset + state.pageSize);
      const partial = offset + page.length < points.length;
      more ||= partial;
      const stat = q.MetricStat as { Metric?: { MetricName?: string }; Stat?: string };
      return {
        Id: q.Id,
        Label: `${stat.Metric?.MetricName ?? ""} ${stat.Stat ?? ""}`,
        Timestamps: page.map((p) => p.at.getTime() / 1000),
        Values: page.map((p) => p.value),
        StatusCode: partial ? "PartialData" : "Complete",
      };
    });
    send(response, 200, "CloudWatch", {
      MetricDataResults: results,
      Messages: [],
      ...(more && state.pageSize !== undefined ? { NextToken: String(offset + state.pageSize) } : {}),
    });
  }

  async function logs(
    operation: string,
    request: IncomingMessage,
    response: ServerResponse,
    raw: string,
    body: Record<string, unknown>,
  ): Promise<boolean> {
    if (operation === "StartQuery") {
      const queryString = typeof body.queryString === "string" ? body.queryString : "";
      const program = programs.find((p) => p.matches(queryString));
      if (program === undefined) return false;
      const id = `standin-query-${nextQuery++}`;
      queries.set(id, { id, program, request: body, polls: 0, stopped: false });
      send(response, 200, "Logs", { queryId: id });
      return true;
    }
    const queryId = typeof body.queryId === "string" ? body.queryId : "";
    const query = queries.get(queryId);
    if (query === undefined) return false; // moto's query (or unknown to both: moto answers)
    const toFields = (rows: readonly Readonly<Record<string, string>>[]) =>
      rows.map((row, i) => [
        ...Object.entries(row).map(([field, value]) => ({ field, value })),
        { field: "@ptr", value: `ptr-${queryId}-${i}` },
      ]);
    if (operation === "GetQueryResults") {
      query.polls++;
      const { program } = query;
      const running = query.stopped
        ? false
        : program.neverCompletes === true || query.polls <= (program.runningPolls ?? 1);
      const status = query.stopped ? "Cancelled" : running ? "Running" : (program.finalStatus ?? "Complete");
      const rows = running ? (program.partialRows ?? []) : status === "Complete" ? program.rows : [];
      send(response, 200, "Logs", {
        results: toFields(rows),
        statistics: program.statistics ?? {
          recordsMatched: rows.length,
          recordsScanned: rows.length,
          bytesScanned: 0,
        },
        status,
      });
      return true;
    }
    if (operation === "StopQuery") {
      stopped.push(queryId);
      const done =
        query.stopped ||
        (query.program.neverCompletes !== true && query.polls > (query.program.runningPolls ?? 1));
      if (done) {
        sendError(response, "Logs", 400, "InvalidParameterException", "", `Query ${queryId} is not running`);
        return true;
      }
      query.stopped = true;
      send(response, 200, "Logs", { success: true });
      return true;
    }
    void request;
    void raw;
    return false;
  }

  const server: Server = createServer((request, response) => {
    void (async () => {
      const raw = await readBody(request);
      const target =
        typeof request.headers["x-amz-target"] === "string" ? request.headers["x-amz-target"] : undefined;
      const service: StandinService | "unknown" = target?.startsWith(CLOUDWATCH_TARGET)
        ? "CloudWatch"
        : target?.startsWith(LOGS_TARGET)
          ? "Logs"
          : "unknown";
      const operation = target?.split(".")[1] ?? "";
      let body: Record<string, unknown> = {};
      try {
        body = raw === "" ? {} : (JSON.parse(raw) as Record<string, unknown>);
      } catch {
        body = {};
      }
      const record = (forwarded: boolean): void => {
        requests.push({
          service,
          operation,
          contentType: request.headers["content-type"],
          target,
          body,
          forwarded,
        });
      };
      if (service === "unknown") {
        record(false);
        response.writeHead(404, { "content-type": "text/plain" }).end("not a CloudWatch / Logs request");
        return;
      }
      const fault = faults.find((f) => f.operation === operation && f.times > 0);
      if (fault) {
        fault.times--;
        record(false);
        switch (fault.kind) {
          case "hang":
            hanging.add(response);
            return;
          case "throttle":
            if (service === "CloudWatch")
              sendError(
                response,
                service,
                400,
                "com.amazon.coral.availability#ThrottlingException",
                "Throttling",
                "Rate exceeded",
              );
            else sendError(response, service, 400, "ThrottlingException", "", "Rate exceeded");
            return;
          case "error500":
            sendError(
              response,
              service,
              500,
              service === "CloudWatch" ? "InternalServiceFault" : "ServiceUnavailableException",
              "InternalServiceError",
              "Internal server error",
            );
            return;
          case "denied":
            sendError(
              response,
              service,
              403,
              "AccessDeniedException",
              "AccessDenied",
              "User: arn:aws:iam::123456789012:user/runbook-bot is not authorized to perform this action",
            );
            return;
        }
      }
      if (service === "CloudWatch" && operation === "GetMetricData") {
        const hasOurs = ((body.MetricDataQueries as Record<string, unknown>[] | undefined) ?? []).some((q) =>
          isPercentile((q.MetricStat as { Stat?: unknown } | undefined)?.Stat),
        );
        if (hasOurs || options.upstream === undefined) {
          record(false);
          await getMetricData(request, response, raw, body);
          return;
        }
      }
      if (service === "Logs" && (await logs(operation, request, response, raw, body))) {
        record(false);
        return;
      }
      if (options.upstream === undefined) {
        record(false);
        sendError(
          response,
          service,
          400,
          "UnknownOperationException",
          "InvalidAction",
          `${operation} is not programmed`,
        );
        return;
      }
      record(true);
      await relay(request, response, raw);
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end(`stand-in failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== "object") throw new Error("stand-in has no port");

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    requests,
    faults,
    get pageSize() {
      return state.pageSize;
    },
    set pageSize(value) {
      state.pageSize = value;
    },
    programMetric(metric) {
      metrics.push(metric);
    },
    programQuery(query) {
      programs.push(query);
    },
    stoppedQueries: () => [...stopped],
    reset() {
      metrics = [];
      programs = [];
      queries.clear();
      stopped.length = 0;
      faults.length = 0;
      requests.length = 0;
      state.pageSize = undefined;
      for (const response of hanging) response.destroy();
      hanging.clear();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
