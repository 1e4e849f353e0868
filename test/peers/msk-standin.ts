/**
 * A local HTTP server in front of the real moto server, for the MSK and Firehose adapter tests.
 *
 * Who answers what:
 * - ListNodes (GET /v1/clusters/{clusterArn}/nodes), RebootBroker (PUT /v1/clusters/{clusterArn}/reboot-broker)
 *   and DescribeClusterOperation (GET /v1/operations/{clusterOperationArn}, and the V2 form
 *   GET /api/v2/operations/{clusterOperationArn}) are answered HERE, because moto 5.2.5 does not
 *   implement them (HTTP 500). Shapes follow the MSK REST API reference and the request/response
 *   schemas in @aws-sdk/client-kafka 3.1169 (REST-JSON, camelCase: nodeInfoList, brokerNodeInfo,
 *   attachedENIId, clusterOperationArn, clusterOperationInfo, operationState...). The broker nodes
 *   are built from the cluster moto holds (numberOfBrokerNodes, brokerNodeGroupInfo.clientSubnets
 *   and instanceType, kafkaVersion): broker ids 1..N, one client subnet each, round robin.
 * - Every other request (DescribeCluster, CreateCluster, all of Firehose...) is PROXIED to moto
 *   unchanged, with one correction: moto 5.2.5 writes the cluster's creationTime without a UTC
 *   offset ("2026-01-01T10:00:00.123456"), which the SDK rightly refuses as RFC 3339; real MSK
 *   sends an offset. The stand-in appends "Z" to that one field (moto runs in UTC here).
 *
 * It records every request (operation, method, path, query, content type, body) for assertions,
 * and can inject faults per operation: throttling (MSK: 429 TooManyRequestsException; Firehose:
 * 400 ThrottlingException), denial (MSK: 403 ForbiddenException; Firehose: 400
 * AccessDeniedException), 500, or a hang (the request is read and never answered).
 *
 * Reboots take `rebootMs` on the stand-in's clock (`advance()` moves it): the operation is
 * UPDATE_IN_PROGRESS, then UPDATE_COMPLETE with an endTime. One broker at a time, like MSK.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export interface RecordedRequest {
  /** ListNodes, RebootBroker, DescribeClusterOperation, DescribeCluster, DescribeDeliveryStream... */
  readonly operation: string;
  readonly method: string;
  /** Path with its segments URL-decoded, e.g. /v1/clusters/arn:aws:kafka:.../nodes */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly contentType: string | undefined;
  readonly body: string;
  /** "standin" when answered here, "moto" when proxied, "fault" when a fault answered. */
  readonly answeredBy: "standin" | "moto" | "fault";
}

export type FaultKind = "throttle" | "deny" | "server-error" | "hang";

export interface FaultRule {
  /** The operation to fail, e.g. "ListNodes" or "DescribeDeliveryStream"; "*" for all. */
  readonly operation: string;
  readonly fault: FaultKind;
  /** How many requests to fail; every matching request when omitted. */
  readonly times?: number;
}

export interface MskStandIn {
  /** http://127.0.0.1:PORT, to use as the SDK endpoint. */
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  requestsFor(operation: string): RecordedRequest[];
  fault(rule: FaultRule): void;
  clearFaults(): void;
  /**
   * Runs `hook` once, before the next request for `operation` is answered (e.g. another writer
   * updating the stream between our describe and our update).
   */
  beforeNext(operation: string, hook: () => Promise<void>): void;
  /** Moves the stand-in's clock forward (reboots complete after `rebootMs`). */
  advance(ms: number): void;
  /** Forgets recorded requests, faults, nodes and operations (moto is reset separately). */
  reset(): void;
  stop(): Promise<void>;
}

export interface MskStandInOptions {
  readonly motoEndpoint: string;
  /** How long a reboot takes on the stand-in's clock. Default 60 s. */
  readonly rebootMs?: number;
  /** Nodes per ListNodes page when the request sets no maxResults. Default 10. */
  readonly pageSize?: number;
}

interface BrokerRecord {
  readonly brokerId: number;
  readonly subnet: string;
  readonly ip: string;
  readonly eni: string;
  readonly endpoint: string;
  readonly nodeArn: string;
}

interface ClusterRecord {
  readonly arn: string;
  readonly name: string;
  readonly kafkaVersion: string | undefined;
  readonly instanceType: string | undefined;
  readonly addedAt: string;
  readonly brokers: BrokerRecord[];
}

interface OperationRecord {
  readonly arn: string;
  readonly clusterArn: string;
  readonly brokerId: number;
  readonly createdAt: number;
  readonly clientRequestId: string;
}

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
]);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Path segments, each URL-decoded (the SDK encodes the ARN label, "/" included, as one segment). */
function segments(rawPath: string): string[] {
  return rawPath
    .split("/")
    .filter((s) => s !== "")
    .map((s) => decodeURIComponent(s));
}

interface Route {
  readonly operation: string;
  readonly arn?: string;
  readonly local: boolean;
}

function route(method: string, rawPath: string, target: string | undefined): Route {
  if (target !== undefined) {
    // AWS JSON protocols (Firehose): X-Amz-Target: Firehose_20150804.DescribeDeliveryStream
    return { operation: target.split(".").pop() ?? target, local: false };
  }
  const s = segments(rawPath);
  if (s[0] === "v1" && s[1] === "clusters" && s.length === 4 && s[3] === "nodes" && method === "GET") {
    return { operation: "ListNodes", arn: s[2] ?? "", local: true };
  }
  if (
    s[0] === "v1" &&
    s[1] === "clusters" &&
    s.length === 4 &&
    s[3] === "reboot-broker" &&
    method === "PUT"
  ) {
    return { operation: "RebootBroker", arn: s[2] ?? "", local: true };
  }
  if (s[0] === "v1" && s[1] === "operations" && s.length === 3 && method === "GET") {
    return { operation: "DescribeClusterOperation", arn: s[2] ?? "", local: true };
  }
  if (s[0] === "api" && s[1] === "v2" && s[2] === "operations" && s.length === 4 && method === "GET") {
    return { operation: "DescribeClusterOperationV2", arn: s[3] ?? "", local: true };
  }
  if (s[0] === "v1" && s[1] === "clusters" && s.length === 3 && method === "GET") {
    return { operation: "DescribeCluster", arn: s[2] ?? "", local: false };
  }
  if (s[0] === "v1" && s[1] === "clusters" && s.length === 2 && method === "POST") {
    return { operation: "CreateCluster", local: false };
  }
  return { operation: `${method} ${rawPath}`, local: false };
}

function sendJson(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomUUID(),
    ...(errorType === undefined ? {} : { "x-amzn-errortype": errorType }),
  });
  res.end(text);
}

/** REST-JSON error of the MSK API: { message, invalidParameter } with the type in x-amzn-ErrorType. */
function mskError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  invalidParameter?: string,
): void {
  sendJson(res, status, { message, ...(invalidParameter === undefined ? {} : { invalidParameter }) }, type);
}

export async function startMskStandIn(options: MskStandInOptions): Promise<MskStandIn> {
  const rebootMs = options.rebootMs ?? 60_000;
  const pageSize = options.pageSize ?? 10;
  const moto = new URL(options.motoEndpoint);
  const requests: RecordedRequest[] = [];
  let faults: { rule: FaultRule; left: number }[] = [];
  let hooks: { operation: string; hook: () => Promise<void> }[] = [];
  const clusters = new Map<string, ClusterRecord>();
  const operations = new Map<string, OperationRecord>();
  const hanging = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let offsetMs = 0;
  const now = (): number => Date.now() + offsetMs;

  function takeFault(operation: string): FaultKind | undefined {
    const match = faults.find(
      (f) => (f.rule.operation === "*" || f.rule.operation === operation) && f.left > 0,
    );
    if (match === undefined) return undefined;
    match.left -= 1;
    return match.rule.fault;
  }

  function answerFault(res: ServerResponse, fault: FaultKind, awsJson: boolean): void {
    switch (fault) {
      case "hang":
        hanging.add(res);
        return;
      case "throttle":
        if (awsJson)
          sendJson(
            res,
            400,
            { __type: "ThrottlingException", message: "Rate exceeded" },
            "ThrottlingException",
          );
        else mskError(res, 429, "TooManyRequestsException", "Too Many Requests");
        return;
      case "deny":
        if (awsJson)
          sendJson(
            res,
            400,
            { __type: "AccessDeniedException", message: "User is not authorized to perform this action" },
            "AccessDeniedException",
          );
        else
          mskError(
            res,
            403,
            "ForbiddenException",
            "Access forbidden. Check your credentials and then retry your request.",
          );
        return;
      case "server-error":
        if (awsJson)
          sendJson(res, 500, { __type: "InternalFailure", message: "Internal failure" }, "InternalFailure");
        else
          mskError(
            res,
            500,
            "InternalServerErrorException",
            "There was an unexpected internal server error.",
          );
        return;
    }
  }

  /** Raw request to moto, routed to its kafka backend by the credential scope of the Authorization header. */
  async function motoDescribeCluster(arn: string): Promise<Record<string, unknown> | undefined> {
    const response = await fetch(`${options.motoEndpoint}/v1/clusters/${encodeURIComponent(arn)}`, {
      headers: {
        authorization:
          "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kafka/aws4_request, SignedHeaders=host, Signature=0",
      },
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (response.status !== 200) return undefined; // moto answers 500 for an unknown cluster
    const parsed = JSON.parse(text) as { clusterInfo?: Record<string, unknown> };
    return parsed.clusterInfo;
  }

  async function cluster(arn: string): Promise<ClusterRecord | undefined> {
    const known = clusters.get(arn);
    if (known !== undefined) return known;
    const info = await motoDescribeCluster(arn);
    if (info === undefined) return undefined;
    const group = (info.brokerNodeGroupInfo ?? {}) as { clientSubnets?: string[]; instanceType?: string };
    const software = (info.currentBrokerSoftwareInfo ?? {}) as { kafkaVersion?: string };
    const count = typeof info.numberOfBrokerNodes === "number" ? info.numberOfBrokerNodes : 0;
    const name = String(info.clusterName ?? "cluster");
    const subnets =
      group.clientSubnets && group.clientSubnets.length > 0 ? group.clientSubnets : ["subnet-0"];
    const [, , , region = "us-east-1", account = "123456789012"] = arn.split(":");
    const clusterId = arn.split("/").pop() ?? "0";
    const short = clusterId.replace(/-/g, "").slice(0, 6);
    const brokers: BrokerRecord[] = Array.from({ length: count }, (_, i) => {
      const brokerId = i + 1;
      const subnet = subnets[i % subnets.length] ?? "subnet-0";
      return {
        brokerId,
        subnet,
        ip: `10.0.${(i % subnets.length) + 1}.${10 + brokerId}`,
        eni: `eni-0${short}${String(brokerId).padStart(9, "0")}`,
        endpoint: `b-${brokerId}.${name.toLowerCase()}.${short}.c2.kafka.${region}.amazonaws.com`,
        nodeArn: `arn:aws:kafka:${region}:${account}:broker/${name}/${clusterId}/${brokerId}`,
      };
    });
    const record: ClusterRecord = {
      arn,
      name,
      kafkaVersion: software.kafkaVersion,
      instanceType: group.instanceType,
      addedAt: new Date(now()).toISOString(),
      brokers,
    };
    clusters.set(arn, record);
    return record;
  }

  function operationDone(op: OperationRecord): boolean {
    return now() - op.createdAt >= rebootMs;
  }

  async function listNodes(res: ServerResponse, arn: string, query: URLSearchParams): Promise<void> {
    const c = await cluster(arn);
    if (c === undefined) {
      mskError(res, 404, "NotFoundException", `Cluster ${arn} not found.`, "clusterArn");
      return;
    }
    const max = Number.parseInt(query.get("maxResults") ?? "", 10);
    const size = Number.isInteger(max) && max > 0 ? max : pageSize;
    const start = Number.parseInt(query.get("nextToken") ?? "0", 10) || 0;
    const page = c.brokers.slice(start, start + size);
    const next = start + size < c.brokers.length ? String(start + size) : undefined;
    sendJson(res, 200, {
      nodeInfoList: page.map((b) => ({
        addedToClusterTime: c.addedAt,
        brokerNodeInfo: {
          attachedENIId: b.eni,
          brokerId: b.brokerId,
          clientSubnet: b.subnet,
          clientVpcIpAddress: b.ip,
          currentBrokerSoftwareInfo: c.kafkaVersion === undefined ? {} : { kafkaVersion: c.kafkaVersion },
          endpoints: [b.endpoint],
        },
        instanceType: c.instanceType,
        nodeARN: b.nodeArn,
        nodeType: "BROKER",
      })),
      ...(next === undefined ? {} : { nextToken: next }),
    });
  }

  async function rebootBroker(res: ServerResponse, arn: string, body: string): Promise<void> {
    const c = await cluster(arn);
    if (c === undefined) {
      mskError(res, 404, "NotFoundException", `Cluster ${arn} not found.`, "clusterArn");
      return;
    }
    let ids: unknown;
    try {
      ids = (JSON.parse(body) as { brokerIds?: unknown }).brokerIds;
    } catch {
      mskError(res, 400, "BadRequestException", "The request body is not valid JSON.");
      return;
    }
    if (!Array.isArray(ids) || ids.length !== 1 || typeof ids[0] !== "string") {
      mskError(res, 400, "BadRequestException", "You can reboot one broker at a time.", "brokerIds");
      return;
    }
    const brokerId = Number(ids[0]);
    if (!c.brokers.some((b) => String(b.brokerId) === ids[0])) {
      mskError(res, 400, "BadRequestException", `Broker ${ids[0]} is not part of the cluster.`, "brokerIds");
      return;
    }
    const running = [...operations.values()].find((op) => op.clusterArn === arn && !operationDone(op));
    if (running !== undefined) {
      mskError(
        res,
        400,
        "BadRequestException",
        `The cluster has an operation in progress (${running.arn}); retry when it is ACTIVE.`,
      );
      return;
    }
    const [, , , region = "us-east-1", account = "123456789012"] = arn.split(":");
    const clusterId = arn.split("/").pop() ?? "0";
    const op: OperationRecord = {
      arn: `arn:aws:kafka:${region}:${account}:cluster-operation/${c.name}/${clusterId}/${randomUUID()}`,
      clusterArn: arn,
      brokerId,
      createdAt: now(),
      clientRequestId: randomUUID(),
    };
    operations.set(op.arn, op);
    sendJson(res, 200, { clusterArn: arn, clusterOperationArn: op.arn });
  }

  function describeOperation(res: ServerResponse, arn: string, v2: boolean): void {
    const op = operations.get(arn);
    if (op === undefined) {
      mskError(res, 404, "NotFoundException", `Cluster operation ${arn} not found.`, "clusterOperationArn");
      return;
    }
    const done = operationDone(op);
    const common = {
      clusterArn: op.clusterArn,
      operationArn: op.arn,
      operationState: done ? "UPDATE_COMPLETE" : "UPDATE_IN_PROGRESS",
      operationType: "REBOOT_NODE",
      ...(done ? { endTime: new Date(op.createdAt + rebootMs).toISOString() } : {}),
    };
    if (v2) {
      sendJson(res, 200, {
        clusterOperationInfo: {
          ...common,
          clusterType: "PROVISIONED",
          startTime: new Date(op.createdAt).toISOString(),
          provisioned: {},
        },
      });
    } else {
      sendJson(res, 200, {
        clusterOperationInfo: {
          ...common,
          clientRequestId: op.clientRequestId,
          creationTime: new Date(op.createdAt).toISOString(),
        },
      });
    }
  }

  async function proxy(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    operation: string,
  ): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    const upstream = await fetch(new URL(req.url ?? "/", moto), {
      method: req.method ?? "GET",
      headers,
      ...(body.length > 0 ? { body } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    let text = await upstream.text();
    if (operation === "DescribeCluster" && upstream.status === 200) {
      text = text.replace(
        /("creationTime":\s*")(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)(")/,
        (_m, a: string, t: string, z: string) => `${a}${t}Z${z}`,
      );
    }
    const out: Record<string, string> = {};
    upstream.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name) && name !== "content-encoding") out[name] = value;
    });
    out["content-length"] = String(Buffer.byteLength(text));
    res.writeHead(upstream.status, out);
    res.end(text);
  }

  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", "http://standin");
      const targetHeader = req.headers["x-amz-target"];
      const target = typeof targetHeader === "string" ? targetHeader : undefined;
      const r = route(req.method ?? "GET", url.pathname, target);
      const fault = takeFault(r.operation);
      requests.push({
        operation: r.operation,
        method: req.method ?? "GET",
        path: `/${segments(url.pathname).join("/")}`,
        query: Object.fromEntries(url.searchParams),
        contentType: req.headers["content-type"],
        body: body.toString("utf8"),
        answeredBy: fault !== undefined ? "fault" : r.local ? "standin" : "moto",
      });
      if (fault !== undefined) {
        answerFault(res, fault, target !== undefined);
        return;
      }
      const hook = hooks.find((h) => h.operation === r.operation);
      if (hook !== undefined) {
        hooks = hooks.filter((h) => h !== hook);
        await hook.hook();
      }
      if (!r.local) {
        await proxy(req, res, body, r.operation);
        return;
      }
      const arn = r.arn ?? "";
      switch (r.operation) {
        case "ListNodes":
          await listNodes(res, arn, url.searchParams);
          return;
        case "RebootBroker":
          await rebootBroker(res, arn, body.toString("utf8"));
          return;
        case "DescribeClusterOperation":
          describeOperation(res, arn, false);
          return;
        case "DescribeClusterOperationV2":
          describeOperation(res, arn, true);
          return;
      }
    })().catch((error: unknown) => {
      if (!res.headersSent) {
        mskError(res, 500, "InternalServerErrorException", `stand-in failure: ${String(error)}`);
      } else res.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address && typeof address === "object") resolve(address.port);
      else reject(new Error("no port"));
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    requestsFor: (operation) => requests.filter((r) => r.operation === operation),
    fault(rule) {
      faults.push({ rule, left: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      faults = [];
    },
    beforeNext(operation, hook) {
      hooks.push({ operation, hook });
    },
    advance(ms) {
      offsetMs += ms;
    },
    reset() {
      requests.length = 0;
      faults = [];
      hooks = [];
      clusters.clear();
      operations.clear();
      offsetMs = 0;
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return stopping;
    },
  };
}
