/**
 * A local Kubernetes API server for tests and the sandbox (node:http on 127.0.0.1, random port),
 * built from the documented request/response shapes of kube-apiserver and metrics-server.
 *
 * Serves:
 *   GET  /version, /healthz, /livez, /readyz                (no auth)
 *   GET  /api, /api/v1, /apis, /apis/apps/v1, /apis/metrics.k8s.io/v1beta1   (discovery)
 *   GET  /api/v1/pods, /api/v1/namespaces/{ns}/pods[/{name}]        (labelSelector, fieldSelector)
 *   GET  /apis/apps/v1/namespaces/{ns}/deployments[/{name}]         (labelSelector)
 *   PATCH /apis/apps/v1/namespaces/{ns}/deployments/{name}
 *   GET|PATCH|PUT /apis/apps/v1/namespaces/{ns}/deployments/{name}/scale
 *   GET  /apis/metrics.k8s.io/v1beta1/pods, .../namespaces/{ns}/pods[/{name}]   (labelSelector)
 *
 * Like the real server: bearer token required (401 Status otherwise); errors are v1 Status
 * objects; PATCH accepts json-patch, merge-patch, strategic-merge-patch and apply-patch+yaml
 * (which needs ?fieldManager=) and answers 415 to any other content type; a resourceVersion in
 * a patch is a precondition (409); ?dryRun=All does not persist; a PATCH/PUT of the scale
 * subresource only changes spec.replicas (status is the controller's; see converge()).
 * Strategic merge patch is approximated: maps merge like a merge patch, lists of objects with a
 * `name` merge by name, `$patch` directives are not supported.
 * With `state.metricsApi = false` (metrics-server not installed) metrics.k8s.io is neither
 * discovered nor served: 404 "the server could not find the requested resource".
 *
 * Every request is recorded (method, path, query, content type, parsed body) in `requests`.
 * `setFailure()` makes matching requests fail (403 with the real RBAC wording, 404, 5xx) and/or
 * answer slowly.
 *
 * Manual use: `npx tsx test/peers/kube-api-server.ts` prints the kubeconfig and serves the
 * default seed until Ctrl-C.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { parse as parseYaml } from "yaml";

// ---------------------------------------------------------------------------------------------
// Object shapes (the subset of the Kubernetes types these endpoints carry)

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion: string;
  generation?: number;
  creationTimestamp: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
}

export interface ResourceList {
  cpu?: string;
  memory?: string;
  [resource: string]: string | undefined;
}

export interface Container {
  name: string;
  image: string;
  resources?: { limits?: ResourceList; requests?: ResourceList };
}

export interface PodObject {
  apiVersion: "v1";
  kind: "Pod";
  metadata: ObjectMeta;
  spec: { containers: Container[]; nodeName?: string };
  status: { phase: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown"; podIP?: string };
}

export interface DeploymentObject {
  apiVersion: "apps/v1";
  kind: "Deployment";
  metadata: ObjectMeta & { generation: number };
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } };
    paused?: boolean;
  };
  status: {
    observedGeneration: number;
    replicas: number;
    updatedReplicas: number;
    readyReplicas: number;
    availableReplicas: number;
  };
}

export interface PodMetricsObject {
  metadata: { name: string; namespace: string; labels: Record<string, string>; creationTimestamp: string };
  timestamp: string;
  window: string;
  containers: { name: string; usage: { cpu: string; memory: string } }[];
}

/** Everything the server serves; tests may read and change it directly between calls. */
export interface KubeApiState {
  deployments: DeploymentObject[];
  pods: PodObject[];
  podMetrics: PodMetricsObject[];
  /** false = metrics-server not installed: metrics.k8s.io is neither discovered nor served. */
  metricsApi: boolean;
}

export interface KubeSeed {
  deployments?: DeploymentObject[];
  pods?: PodObject[];
  podMetrics?: PodMetricsObject[];
  /** Default true. */
  metricsApi?: boolean;
  /** Subject named in 403 messages; default system:serviceaccount:ops:runbook-bot. */
  user?: string;
  /** After each accepted scale, converge() the deployment at once (default false). */
  autoConverge?: boolean;
}

export type KubeVerb = "get" | "list" | "patch" | "update";
/** Resource names as RBAC spells them, group-qualified for non-core groups. */
export type KubeResource = "pods" | "deployments.apps" | "deployments.apps/scale" | "pods.metrics.k8s.io";

export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. /apis/apps/v1/namespaces/flink/deployments/x/scale. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Content-Type header as sent (parameters included), undefined when absent. */
  readonly contentType: string | undefined;
  /** JSON (or YAML for apply patches) parsed; the raw text when it does not parse; undefined when empty. */
  readonly body: unknown;
  /** What the request addressed, when it is one of the served resources. */
  readonly verb?: KubeVerb;
  readonly resource?: KubeResource;
  readonly namespace?: string;
  readonly name?: string;
}

export interface FailureRule {
  /** Match on these (all given ones must match); an empty rule matches every resource request. */
  verb?: KubeVerb;
  resource?: KubeResource;
  namespace?: string;
  name?: string;
  /**
   * Answer with this status (a Status object worded like the real server's unless `message`:
   * 403 names the user, verb, resource and namespace as RBAC does). A rule needs status and/or delayMs.
   */
  status?: number;
  message?: string;
  /** Wait this long before answering (with `status`, or normally without it). */
  delayMs?: number;
  /** Apply to this many matching requests only (default: until clearFailures()). */
  times?: number;
}

export interface KubeApiServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** A kubeconfig (context "kube-test", namespace flink) pointing at the server with its token. */
  readonly kubeConfigYaml: string;
  /** The bearer token the server accepts. */
  readonly token: string;
  readonly requests: RecordedRequest[];
  readonly state: KubeApiState;
  /** Adds a failure rule (the first matching rule applies). */
  setFailure(rule: FailureRule): void;
  clearFailures(): void;
  /** Plays the deployment controller once: status = spec, pods (and their metrics) created/removed. */
  converge(namespace: string, name: string): void;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Builders and the default seed

const CREATED_AT = "2025-01-01T00:00:00Z";
let uidCounter = 0;
function uid(): string {
  uidCounter += 1;
  return `00000000-0000-4000-8000-${uidCounter.toString(16).padStart(12, "0")}`;
}

export interface ContainerSpec {
  name: string;
  image?: string;
  limits?: ResourceList;
  requests?: ResourceList;
}

function container(spec: ContainerSpec): Container {
  const resources: Container["resources"] = {};
  if (spec.limits) resources.limits = { ...spec.limits };
  if (spec.requests) resources.requests = { ...spec.requests };
  return { name: spec.name, image: spec.image ?? "flink:1.18", resources };
}

export function deploymentObject(options: {
  namespace: string;
  name: string;
  replicas: number;
  labels: Record<string, string>;
  containers: ContainerSpec[];
}): DeploymentObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: options.name,
      namespace: options.namespace,
      uid: uid(),
      resourceVersion: "1",
      generation: 1,
      creationTimestamp: CREATED_AT,
      labels: { ...options.labels },
    },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { ...options.labels } },
      template: {
        metadata: { labels: { ...options.labels } },
        spec: { containers: options.containers.map(container) },
      },
    },
    status: {
      observedGeneration: 1,
      replicas: options.replicas,
      updatedReplicas: options.replicas,
      readyReplicas: options.replicas,
      availableReplicas: options.replicas,
    },
  };
}

export function podObject(options: {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  containers: ContainerSpec[];
  phase?: PodObject["status"]["phase"];
}): PodObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: options.name,
      namespace: options.namespace,
      uid: uid(),
      resourceVersion: "1",
      creationTimestamp: CREATED_AT,
      labels: { ...options.labels },
    },
    spec: { containers: options.containers.map(container), nodeName: "node-a" },
    status: { phase: options.phase ?? "Running", podIP: "10.0.0.10" },
  };
}

export function podMetricsObject(options: {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  containers: { name: string; cpu: string; memory: string }[];
}): PodMetricsObject {
  const now = new Date();
  now.setMilliseconds(0);
  return {
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: { ...options.labels },
      creationTimestamp: now.toISOString().replace(".000Z", "Z"),
    },
    timestamp: now.toISOString().replace(".000Z", "Z"),
    window: "15s",
    containers: options.containers.map((c) => ({ name: c.name, usage: { cpu: c.cpu, memory: c.memory } })),
  };
}

/** flink/flink-taskmanager: the limits every default pod has. */
export const DEFAULT_LIMITS = { cpu: "2", memory: "8Gi" } as const;
/**
 * Usage of flink-taskmanager-0..3 as metrics-server reports it (nanocores, KiB):
 * 1900m/7600Mi, 1953.455812m/7650Mi, 1874.21m/7580Mi, 1921.000001m/7620Mi.
 */
export const DEFAULT_USAGE: readonly { cpu: string; memory: string }[] = [
  { cpu: "1900000000n", memory: "7782400Ki" },
  { cpu: "1953455812n", memory: "7833600Ki" },
  { cpu: "1874210000n", memory: "7761920Ki" },
  { cpu: "1921000001n", memory: "7802880Ki" },
];

/** Namespace flink, Deployment flink-taskmanager (4 replicas, app=flink-taskmanager), its 4 pods and metrics. */
export function defaultSeed(): Required<Pick<KubeSeed, "deployments" | "pods" | "podMetrics">> {
  const namespace = "flink";
  const labels = { app: "flink-taskmanager" };
  const containers: ContainerSpec[] = [
    { name: "taskmanager", limits: { ...DEFAULT_LIMITS }, requests: { ...DEFAULT_LIMITS } },
  ];
  const names = DEFAULT_USAGE.map((_, i) => `flink-taskmanager-${i}`);
  return {
    deployments: [
      deploymentObject({ namespace, name: "flink-taskmanager", replicas: 4, labels, containers }),
    ],
    pods: names.map((name) => podObject({ namespace, name, labels, containers })),
    podMetrics: names.map((name, i) =>
      podMetricsObject({
        namespace,
        name,
        labels,
        containers: [{ name: "taskmanager", ...DEFAULT_USAGE[i]! }],
      }),
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Label and field selectors (k8s.io/apimachinery/pkg/labels syntax)

type Requirement =
  | { op: "exists" | "!exists"; key: string }
  | { op: "in" | "notin"; key: string; values: string[] }
  | { op: "gt" | "lt"; key: string; value: number };

class BadRequest extends Error {}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const char of text) {
    if (char === "(") depth += 1;
    if (char === ")") depth -= 1;
    if (char === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const KEY = `[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VALUE = `([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;

const SELECTOR_PATTERNS = {
  notExists: new RegExp(`^!\\s*(${KEY})$`),
  equality: new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`),
  set: new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`),
  compare: new RegExp(`^(${KEY})\\s*(>|<)\\s*(-?\\d+)$`),
  exists: new RegExp(`^(${KEY})$`),
  value: new RegExp(`^${VALUE}$`),
};

function parseRequirement(part: string): Requirement {
  const p = SELECTOR_PATTERNS;
  const notExists = p.notExists.exec(part);
  if (notExists) return { op: "!exists", key: notExists[1]! };
  const equality = p.equality.exec(part);
  if (equality) {
    return { op: equality[3] === "!=" ? "notin" : "in", key: equality[1]!, values: [equality[4] ?? ""] };
  }
  const set = p.set.exec(part);
  if (set) {
    const values = (set[4] ?? "").split(",").map((v) => v.trim());
    if (values.some((v) => !p.value.test(v))) {
      throw new BadRequest(`unable to parse requirement: invalid value in ${JSON.stringify(part)}`);
    }
    return { op: set[3] === "notin" ? "notin" : "in", key: set[1]!, values };
  }
  const compare = p.compare.exec(part);
  if (compare) return { op: compare[3] === ">" ? "gt" : "lt", key: compare[1]!, value: Number(compare[4]) };
  const exists = p.exists.exec(part);
  if (exists) return { op: "exists", key: exists[1]! };
  throw new BadRequest(`unable to parse requirement: found ${JSON.stringify(part)}, expected a requirement`);
}

/** Parses a label selector: a=b, a==b, a!=b, a in (x,y), a notin (x), a, !a, a>1, a<1 (comma = and). */
export function parseLabelSelector(selector: string): Requirement[] {
  return splitTopLevel(selector).map(parseRequirement);
}

export function matchesLabels(
  requirements: Requirement[],
  labels: Record<string, string> | undefined,
): boolean {
  const all = labels ?? {};
  return requirements.every((r) => {
    const has = Object.hasOwn(all, r.key);
    const value = all[r.key];
    switch (r.op) {
      case "exists":
        return has;
      case "!exists":
        return !has;
      case "in":
        return has && r.values.includes(value ?? "");
      case "notin":
        return !has || !r.values.includes(value ?? "");
      case "gt":
        return has && Number(value) > r.value;
      case "lt":
        return has && Number(value) < r.value;
    }
    return false;
  });
}

const POD_FIELDS: Record<string, (pod: PodObject) => string> = {
  "metadata.name": (p) => p.metadata.name,
  "metadata.namespace": (p) => p.metadata.namespace,
  "status.phase": (p) => p.status.phase,
  "spec.nodeName": (p) => p.spec.nodeName ?? "",
};

function podFieldFilter(selector: string | undefined): (pod: PodObject) => boolean {
  if (!selector) return () => true;
  const checks = splitTopLevel(selector).map((part) => {
    const match = /^([a-zA-Z.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!match) throw new BadRequest(`invalid field selector: ${JSON.stringify(part)}`);
    const read = POD_FIELDS[match[1]!];
    if (!read) throw new BadRequest(`field label not supported: ${match[1]}`);
    const negate = match[2] === "!=";
    const expected = match[3] ?? "";
    return (pod: PodObject) => (read(pod) === expected) !== negate;
  });
  return (pod) => checks.every((check) => check(pod));
}

// ---------------------------------------------------------------------------------------------
// Patches

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: unknown): value is Record<string, Json> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Removes matching items in place (tests may hold references to the state arrays). */
function removeWhere<T>(items: T[], predicate: (item: T) => boolean): void {
  for (let i = items.length - 1; i >= 0; i -= 1) if (predicate(items[i]!)) items.splice(i, 1);
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** RFC 7386 JSON merge patch; `byName` = strategic: lists of named objects merge by name. */
function mergePatch(target: unknown, patch: unknown, byName = false): unknown {
  if (byName && Array.isArray(target) && Array.isArray(patch)) {
    const named = (list: unknown[]) => list.every((item) => isObject(item) && typeof item.name === "string");
    if (named(target) && named(patch)) {
      const result = clone(target) as Record<string, Json>[];
      for (const item of patch as Record<string, Json>[]) {
        const index = result.findIndex((existing) => existing.name === item.name);
        if (index >= 0) result[index] = mergePatch(result[index], item, true) as Record<string, Json>;
        else result.push(clone(item));
      }
      return result;
    }
  }
  if (!isObject(patch)) return clone(patch);
  const result: Record<string, unknown> = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value, byName);
  }
  return result;
}

class PatchFailed extends Error {}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchFailed(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function getAt(doc: unknown, tokens: string[]): unknown {
  let node = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else return undefined;
  }
  return node;
}

function parentOf(doc: unknown, tokens: string[], op: string): [unknown, string] {
  if (tokens.length === 0) throw new PatchFailed(`${op} at the document root is not supported`);
  const parent = getAt(doc, tokens.slice(0, -1));
  if (parent === undefined || (typeof parent !== "object" && !Array.isArray(parent))) {
    throw new PatchFailed(`${op} operation does not apply: doc is missing path: /${tokens.join("/")}`);
  }
  return [parent, tokens[tokens.length - 1]!];
}

function removeAt(doc: unknown, tokens: string[], op: string): unknown {
  const [parent, key] = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) {
      throw new PatchFailed(`${op} operation does not apply: doc is missing path: /${tokens.join("/")}`);
    }
    return parent.splice(index, 1)[0];
  }
  const record = parent as Record<string, unknown>;
  if (!Object.hasOwn(record, key)) {
    throw new PatchFailed(`${op} operation does not apply: doc is missing path: /${tokens.join("/")}`);
  }
  const value = record[key];
  delete record[key];
  return value;
}

function addAt(doc: unknown, tokens: string[], value: unknown, replace: boolean): void {
  const op = replace ? "replace" : "add";
  const [parent, key] = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : Number(key);
    const max = replace ? parent.length - 1 : parent.length;
    if (!Number.isInteger(index) || index < 0 || index > max) {
      throw new PatchFailed(`${op} operation does not apply: index out of range: /${tokens.join("/")}`);
    }
    parent.splice(index, replace ? 1 : 0, clone(value));
    return;
  }
  const record = parent as Record<string, unknown>;
  if (replace && !Object.hasOwn(record, key)) {
    throw new PatchFailed(`replace operation does not apply: doc is missing key: /${tokens.join("/")}`);
  }
  record[key] = clone(value);
}

/** RFC 6902 JSON patch. */
function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchFailed("json patch must be an array of operations");
  const doc = clone(target);
  for (const operation of operations) {
    if (!isObject(operation) || typeof operation.op !== "string" || typeof operation.path !== "string") {
      throw new PatchFailed("each json patch operation needs op and path");
    }
    const tokens = pointer(operation.path);
    switch (operation.op) {
      case "add":
      case "replace":
        addAt(doc, tokens, operation.value, operation.op === "replace");
        break;
      case "remove":
        removeAt(doc, tokens, "remove");
        break;
      case "move":
      case "copy": {
        if (typeof operation.from !== "string") throw new PatchFailed(`${operation.op} needs from`);
        const from = pointer(operation.from);
        const value = operation.op === "move" ? removeAt(doc, from, "move") : getAt(doc, from);
        if (value === undefined)
          throw new PatchFailed(`copy operation does not apply: missing ${operation.from}`);
        addAt(doc, tokens, value, false);
        break;
      }
      case "test":
        if (JSON.stringify(getAt(doc, tokens)) !== JSON.stringify(operation.value)) {
          throw new PatchFailed(`testing value ${operation.path} failed`);
        }
        break;
      default:
        throw new PatchFailed(`Unexpected kind: ${operation.op}`);
    }
  }
  return doc;
}

const PATCH_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
] as const;
type PatchType = (typeof PATCH_TYPES)[number];

// ---------------------------------------------------------------------------------------------
// HTTP plumbing

interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure";
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string };
  code: number;
}

class HttpError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

const REASONS: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  415: "UnsupportedMediaType",
  422: "Invalid",
  429: "TooManyRequests",
  500: "InternalError",
  503: "ServiceUnavailable",
  504: "Timeout",
};

function status(code: number, message: string, details?: Status["details"]): Status {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason: REASONS[code] ?? "Unknown",
    ...(details ? { details } : {}),
    code,
  };
}

const NOT_SERVED = () => status(404, "the server could not find the requested resource");

interface Route {
  verb: KubeVerb;
  resource: KubeResource;
  namespace?: string;
  name?: string;
}

/** Which served resource a method + path addresses; undefined for discovery and unknown paths. */
function routeOf(method: string, path: string): Route | "method-not-allowed" | undefined {
  const segments = path.split("/").filter(Boolean).map(decodeURIComponent);
  const verbFor = (collection: boolean): KubeVerb | undefined => {
    if (method === "GET") return collection ? "list" : "get";
    if (method === "PATCH" && !collection) return "patch";
    if (method === "PUT" && !collection) return "update";
    return undefined;
  };
  const make = (resource: KubeResource, namespace?: string, name?: string, readOnly = false) => {
    const verb = verbFor(name === undefined);
    if (verb === undefined || (readOnly && verb !== "get" && verb !== "list")) return "method-not-allowed";
    return {
      verb,
      resource,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
    } satisfies Route;
  };
  const [a, b, c, d, e, f, g, h] = segments;
  if (a === "api" && b === "v1") {
    if (c === "pods" && segments.length === 3) return make("pods", undefined, undefined, true);
    if (c === "namespaces" && e === "pods" && segments.length <= 6) return make("pods", d, f, true);
    return undefined;
  }
  if (a === "apis" && b === "apps" && c === "v1" && d === "namespaces" && f === "deployments") {
    if (segments.length <= 7) {
      const route = make("deployments.apps", e, g);
      return route !== "method-not-allowed" && route.verb === "update" ? "method-not-allowed" : route;
    }
    if (segments.length === 8 && h === "scale") {
      const route = make("deployments.apps/scale", e, g);
      return route;
    }
    return undefined;
  }
  if (a === "apis" && b === "metrics.k8s.io" && c === "v1beta1") {
    if (d === "pods" && segments.length === 4) return make("pods.metrics.k8s.io", undefined, undefined, true);
    if (d === "namespaces" && f === "pods" && segments.length <= 7) {
      return make("pods.metrics.k8s.io", e, g, true);
    }
  }
  return undefined;
}

function forbiddenMessage(route: Route, user: string): string {
  const [resourceName, subresource] = route.resource.split("/");
  const [plural, ...groupParts] = (resourceName ?? "").split(".");
  const group = groupParts.join(".");
  const object = route.name !== undefined ? `${resourceName} "${route.name}"` : resourceName;
  const resourceText = subresource ? `${plural}/${subresource}` : plural;
  const scope =
    route.namespace !== undefined ? ` in the namespace "${route.namespace}"` : " at the cluster scope";
  return `${object} is forbidden: User "${user}" cannot ${route.verb} resource "${resourceText}" in API group "${group}"${scope}`;
}

function defaultFailureMessage(code: number, route: Route | undefined, user: string): string {
  if (code === 403 && route) return forbiddenMessage(route, user);
  if (code === 404 && route?.name !== undefined) {
    return `${route.resource.split("/")[0]} "${route.name}" not found`;
  }
  if (code === 404) return "the server could not find the requested resource";
  if (code === 503) return "the server is currently unable to handle the request";
  if (code === 429) return "the server has received too many requests and has asked us to try again later";
  if (code === 409)
    return "the object has been modified; please apply your changes to the latest version and try again";
  return `an error on the server ("injected failure") has prevented the request from succeeding`;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

function parseBody(text: string, type: string): unknown {
  if (text === "") return undefined;
  try {
    return type === "application/apply-patch+yaml" ? parseYaml(text) : JSON.parse(text);
  } catch {
    return text;
  }
}

function listOf<T>(kind: string, apiVersion: string, items: T[], resourceVersion: string) {
  return { kind, apiVersion, metadata: { resourceVersion }, items };
}

// ---------------------------------------------------------------------------------------------
// The server

export async function startKubeApiServer(seed: KubeSeed = {}): Promise<KubeApiServer> {
  const defaults = defaultSeed();
  const state: KubeApiState = {
    deployments: clone(seed.deployments ?? defaults.deployments),
    pods: clone(seed.pods ?? defaults.pods),
    podMetrics: clone(seed.podMetrics ?? defaults.podMetrics),
    metricsApi: seed.metricsApi ?? true,
  };
  const user = seed.user ?? "system:serviceaccount:ops:runbook-bot";
  const token = `fake-token-${randomBytes(12).toString("hex")}`;
  const requests: RecordedRequest[] = [];
  const failures: FailureRule[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let resourceVersion = 1000;
  const nextResourceVersion = () => String(++resourceVersion);

  const findDeployment = (namespace: string, name: string): DeploymentObject => {
    const deployment = state.deployments.find(
      (d) => d.metadata.namespace === namespace && d.metadata.name === name,
    );
    if (!deployment) {
      throw new HttpError(
        status(404, `deployments.apps "${name}" not found`, { name, group: "apps", kind: "deployments" }),
      );
    }
    return deployment;
  };

  const scaleOf = (deployment: DeploymentObject) => ({
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: deployment.metadata.name,
      namespace: deployment.metadata.namespace,
      uid: deployment.metadata.uid,
      resourceVersion: deployment.metadata.resourceVersion,
      creationTimestamp: deployment.metadata.creationTimestamp,
    },
    spec: { replicas: deployment.spec.replicas },
    status: {
      replicas: deployment.status.replicas,
      selector: Object.entries(deployment.spec.selector.matchLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    },
  });

  function converge(namespace: string, name: string): void {
    const deployment = findDeployment(namespace, name);
    const want = deployment.spec.replicas;
    const selector = Object.entries(deployment.spec.selector.matchLabels).map(
      ([key, value]) => ({ op: "in", key, values: [value] }) as Requirement,
    );
    const owned = () =>
      state.pods.filter(
        (p) => p.metadata.namespace === namespace && matchesLabels(selector, p.metadata.labels),
      );
    const template = state.podMetrics.find((m) => owned().some((p) => p.metadata.name === m.metadata.name));
    for (let i = 0; owned().length < want; i += 1) {
      const podName = `${name}-${i}`;
      if (state.pods.some((p) => p.metadata.namespace === namespace && p.metadata.name === podName)) continue;
      const labels = deployment.spec.template.metadata.labels;
      const pod = podObject({ namespace, name: podName, labels, containers: [] });
      pod.spec.containers = clone(deployment.spec.template.spec.containers);
      state.pods.push(pod);
      if (template) {
        state.podMetrics.push({
          ...clone(template),
          metadata: { ...clone(template.metadata), name: podName },
        });
      }
    }
    const extra = owned()
      .map((p) => p.metadata.name)
      .sort((x, y) => y.localeCompare(x, "en", { numeric: true }))
      .slice(0, Math.max(0, owned().length - want));
    const doomed = (item: { metadata: { namespace: string; name: string } }) =>
      item.metadata.namespace === namespace && extra.includes(item.metadata.name);
    removeWhere(state.pods, doomed);
    removeWhere(state.podMetrics, doomed);
    deployment.status = {
      observedGeneration: deployment.metadata.generation,
      replicas: want,
      updatedReplicas: want,
      readyReplicas: want,
      availableReplicas: want,
    };
    deployment.metadata.resourceVersion = nextResourceVersion();
  }

  /** Applies a patch of the given type to `current`; 4xx HttpError on bad input. */
  function applyPatch(
    current: unknown,
    body: unknown,
    rawText: string,
    type: PatchType,
    query: URLSearchParams,
  ) {
    if (type === "application/apply-patch+yaml") {
      if (!query.get("fieldManager")) {
        throw new HttpError(
          status(
            422,
            'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
          ),
        );
      }
      if (!isObject(body))
        throw new HttpError(status(400, "error decoding YAML: the apply patch is not an object"));
      return mergePatch(current, body);
    }
    if (rawText !== "" && typeof body === "string") {
      throw new HttpError(status(400, `error decoding patch: invalid JSON: ${rawText.slice(0, 80)}`));
    }
    try {
      if (type === "application/json-patch+json") return jsonPatch(current, body);
      if (!isObject(body)) throw new PatchFailed("a merge patch must be a JSON object");
      return mergePatch(current, body, type === "application/strategic-merge-patch+json");
    } catch (error) {
      if (error instanceof PatchFailed) throw new HttpError(status(422, error.message));
      throw error;
    }
  }

  function checkPrecondition(
    patched: unknown,
    current: { metadata: { resourceVersion: string } },
    name: string,
  ) {
    const sent =
      isObject(patched) && isObject(patched.metadata) ? patched.metadata.resourceVersion : undefined;
    if (sent !== undefined && sent !== current.metadata.resourceVersion) {
      throw new HttpError(
        status(
          409,
          `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          { name, group: "apps", kind: "deployments" },
        ),
      );
    }
  }

  /** Validates and stores a new replica count from a patched/replaced Scale. */
  function storeScale(deployment: DeploymentObject, scale: unknown, dryRun: boolean) {
    const replicas = isObject(scale) && isObject(scale.spec) ? scale.spec.replicas : undefined;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      throw new HttpError(
        status(
          422,
          `Scale.autoscaling "${deployment.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
          { name: deployment.metadata.name, group: "autoscaling", kind: "Scale" },
        ),
      );
    }
    const target = dryRun ? clone(deployment) : deployment;
    if (target.spec.replicas !== replicas) {
      target.spec.replicas = replicas;
      target.metadata.generation += 1;
      target.metadata.resourceVersion = nextResourceVersion();
    }
    if (!dryRun && seed.autoConverge) converge(deployment.metadata.namespace, deployment.metadata.name);
    return scaleOf(target);
  }

  function discovery(path: string): unknown {
    const host = `127.0.0.1:${port}`;
    const metricsGroup = {
      name: "metrics.k8s.io",
      versions: [{ groupVersion: "metrics.k8s.io/v1beta1", version: "v1beta1" }],
      preferredVersion: { groupVersion: "metrics.k8s.io/v1beta1", version: "v1beta1" },
    };
    const appsGroup = {
      name: "apps",
      versions: [{ groupVersion: "apps/v1", version: "v1" }],
      preferredVersion: { groupVersion: "apps/v1", version: "v1" },
    };
    const resource = (name: string, kind: string, verbs: string[], group?: string, version?: string) => ({
      name,
      singularName: name.includes("/") ? "" : kind.toLowerCase(),
      namespaced: true,
      ...(group ? { group, version } : {}),
      kind,
      verbs,
    });
    switch (path) {
      case "/api":
        return {
          kind: "APIVersions",
          versions: ["v1"],
          serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: host }],
        };
      case "/apis":
        return {
          kind: "APIGroupList",
          apiVersion: "v1",
          groups: state.metricsApi ? [appsGroup, metricsGroup] : [appsGroup],
        };
      case "/api/v1":
        return {
          kind: "APIResourceList",
          groupVersion: "v1",
          resources: [resource("pods", "Pod", ["get", "list"])],
        };
      case "/apis/apps/v1":
        return {
          kind: "APIResourceList",
          apiVersion: "v1",
          groupVersion: "apps/v1",
          resources: [
            resource("deployments", "Deployment", ["get", "list", "patch"]),
            resource("deployments/scale", "Scale", ["get", "patch", "update"], "autoscaling", "v1"),
          ],
        };
      case "/apis/metrics.k8s.io/v1beta1":
        if (!state.metricsApi) return undefined;
        return {
          kind: "APIResourceList",
          apiVersion: "v1",
          groupVersion: "metrics.k8s.io/v1beta1",
          resources: [resource("pods", "PodMetrics", ["get", "list"])],
        };
      default:
        return undefined;
    }
  }

  async function serve(route: Route, query: URLSearchParams, body: unknown, raw: string, type: string) {
    const namespace = route.namespace;
    const inNamespace = <T extends { metadata: { namespace: string } }>(items: T[]) =>
      namespace === undefined ? items : items.filter((item) => item.metadata.namespace === namespace);
    const selector = parseLabelSelector(query.get("labelSelector") ?? "");
    const dryRun = query.get("dryRun") === "All";
    switch (route.resource) {
      case "pods": {
        const fieldFilter = podFieldFilter(query.get("fieldSelector") ?? undefined);
        const pods = inNamespace(state.pods);
        if (route.verb === "get") {
          const pod = pods.find((p) => p.metadata.name === route.name);
          if (!pod)
            throw new HttpError(
              status(404, `pods "${route.name}" not found`, { name: route.name!, kind: "pods" }),
            );
          return pod;
        }
        const items = pods.filter((p) => matchesLabels(selector, p.metadata.labels) && fieldFilter(p));
        return listOf("PodList", "v1", items.map(clone), String(resourceVersion));
      }
      case "pods.metrics.k8s.io": {
        if (!state.metricsApi) throw new HttpError(NOT_SERVED());
        const metrics = inNamespace(state.podMetrics).map((m) => ({
          kind: "PodMetrics",
          apiVersion: "metrics.k8s.io/v1beta1",
          ...clone(m),
        }));
        if (route.verb === "get") {
          const item = metrics.find((m) => m.metadata.name === route.name);
          if (!item) {
            throw new HttpError(
              status(404, `podmetrics.metrics.k8s.io "${namespace}/${route.name}" not found`, {
                name: `${namespace}/${route.name}`,
                group: "metrics.k8s.io",
                kind: "pods",
              }),
            );
          }
          return item;
        }
        const items = metrics
          .filter((m) => matchesLabels(selector, m.metadata.labels))
          .map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest);
        return { kind: "PodMetricsList", apiVersion: "metrics.k8s.io/v1beta1", metadata: {}, items };
      }
      case "deployments.apps": {
        if (route.verb === "list") {
          const items = inNamespace(state.deployments).filter((d) =>
            matchesLabels(selector, d.metadata.labels),
          );
          return listOf("DeploymentList", "apps/v1", items.map(clone), String(resourceVersion));
        }
        const deployment = findDeployment(namespace!, route.name!);
        if (route.verb === "get") return clone(deployment);
        // patch: spec and metadata only; status belongs to the controller.
        checkPatchType(type);
        const patched = applyPatch(clone(deployment), body, raw, type as PatchType, query);
        checkPrecondition(patched, deployment, deployment.metadata.name);
        if (!isObject(patched) || !isObject(patched.spec))
          throw new HttpError(status(422, "spec is required"));
        const replicas = patched.spec.replicas;
        if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
          throw new HttpError(
            status(
              422,
              `Deployment.apps "${deployment.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
            ),
          );
        }
        const target = dryRun ? clone(deployment) : deployment;
        const before = JSON.stringify(target.spec);
        target.spec = patched.spec as unknown as DeploymentObject["spec"];
        if (isObject(patched.metadata)) {
          if (isObject(patched.metadata.labels))
            target.metadata.labels = patched.metadata.labels as Record<string, string>;
          if (isObject(patched.metadata.annotations)) {
            target.metadata.annotations = patched.metadata.annotations as Record<string, string>;
          }
        }
        if (JSON.stringify(target.spec) !== before) target.metadata.generation += 1;
        target.metadata.resourceVersion = nextResourceVersion();
        return clone(target);
      }
      case "deployments.apps/scale": {
        const deployment = findDeployment(namespace!, route.name!);
        if (route.verb === "get") return scaleOf(deployment);
        if (route.verb === "update") {
          if (!["application/json", "application/yaml"].includes(type)) {
            throw new HttpError(
              status(
                415,
                `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
              ),
            );
          }
          if (!isObject(body)) throw new HttpError(status(400, "the request body is not a Scale object"));
          checkPrecondition(body, deployment, deployment.metadata.name);
          return storeScale(deployment, body, dryRun);
        }
        checkPatchType(type);
        const patched = applyPatch(scaleOf(deployment), body, raw, type as PatchType, query);
        checkPrecondition(patched, deployment, deployment.metadata.name);
        return storeScale(deployment, patched, dryRun);
      }
    }
    throw new HttpError(NOT_SERVED());
  }

  function checkPatchType(type: string): void {
    if (!(PATCH_TYPES as readonly string[]).includes(type)) {
      throw new HttpError(
        status(
          415,
          `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(", ")}`,
        ),
      );
    }
  }

  function takeFailure(route: Route | undefined): FailureRule | undefined {
    if (!route) return undefined;
    const index = failures.findIndex(
      (rule) =>
        (rule.verb === undefined || rule.verb === route.verb) &&
        (rule.resource === undefined || rule.resource === route.resource) &&
        (rule.namespace === undefined || rule.namespace === route.namespace) &&
        (rule.name === undefined || rule.name === route.name),
    );
    const rule = failures[index];
    if (!rule) return undefined;
    if (rule.times !== undefined) {
      rule.times -= 1;
      if (rule.times <= 0) failures.splice(index, 1);
    }
    return rule;
  }

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  function send(response: ServerResponse, code: number, payload: unknown): void {
    if (response.destroyed || response.writableEnded) return;
    const text = typeof payload === "string" ? payload : JSON.stringify(payload);
    response.writeHead(code, {
      "content-type": typeof payload === "string" ? "text/plain; charset=utf-8" : "application/json",
      "content-length": Buffer.byteLength(text),
      "cache-control": "no-cache, private",
    });
    response.end(text);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const method = request.method ?? "GET";
    const contentType = request.headers["content-type"];
    const type = mediaType(contentType);
    const raw = await readBody(request);
    const body = parseBody(raw, type);
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const route = routeOf(method, path);
    const addressed = route !== undefined && route !== "method-not-allowed" ? route : undefined;
    requests.push({
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      contentType,
      body,
      ...(addressed ?? {}),
    });

    if (["/healthz", "/livez", "/readyz"].includes(path)) return send(response, 200, "ok");
    if (path === "/version") {
      return send(response, 200, {
        major: "1",
        minor: "31",
        gitVersion: "v1.31.0",
        gitCommit: "0000000000000000000000000000000000000000",
        gitTreeState: "clean",
        buildDate: CREATED_AT,
        goVersion: "go1.22.5",
        compiler: "gc",
        platform: "linux/amd64",
      });
    }
    if (request.headers.authorization !== `Bearer ${token}`)
      return send(response, 401, status(401, "Unauthorized"));

    const failure = takeFailure(addressed);
    if (failure?.delayMs !== undefined) await delay(failure.delayMs);
    if (failure?.status !== undefined) {
      const message = failure.message ?? defaultFailureMessage(failure.status, addressed, user);
      const details =
        addressed?.name !== undefined
          ? { name: addressed.name, kind: (addressed.resource.split("/")[0] ?? "").split(".")[0] ?? "" }
          : undefined;
      return send(response, failure.status, status(failure.status, message, details));
    }

    if (route === undefined) {
      const document = method === "GET" ? discovery(path) : undefined;
      return document === undefined ? send(response, 404, NOT_SERVED()) : send(response, 200, document);
    }
    if (route === "method-not-allowed") {
      return send(
        response,
        405,
        status(405, "the server does not allow this method on the requested resource"),
      );
    }
    try {
      send(response, 200, await serve(route, url.searchParams, body, raw, type));
    } catch (error) {
      if (error instanceof HttpError) return send(response, error.status.code, error.status);
      if (error instanceof BadRequest) return send(response, 400, status(400, error.message));
      throw error;
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      send(response, 500, status(500, `internal error in the test server: ${(error as Error).message}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const kubeConfigYaml = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  - name: kube-test",
    "    cluster:",
    `      server: ${url}`,
    "      insecure-skip-tls-verify: true",
    "users:",
    "  - name: runbook-bot",
    "    user:",
    `      token: ${token}`,
    "contexts:",
    "  - name: kube-test",
    "    context:",
    "      cluster: kube-test",
    "      user: runbook-bot",
    "      namespace: flink",
    "current-context: kube-test",
    "",
  ].join("\n");

  return {
    url,
    kubeConfigYaml,
    token,
    requests,
    state,
    setFailure: (rule) => {
      if (rule.status === undefined && rule.delayMs === undefined) {
        throw new Error("setFailure: give status and/or delayMs");
      }
      failures.push({ ...rule });
    },
    clearFailures: () => {
      failures.length = 0;
    },
    converge,
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Manual use: serve the default seed and print the kubeconfig.
if (import.meta.url === `file://${process.argv[1]}`) {
  const running = await startKubeApiServer();
  process.stdout.write(`${running.kubeConfigYaml}\n# serving ${running.url}; Ctrl-C to stop\n`);
  process.on("SIGINT", () => {
    void running.stop().then(() => process.exit(0));
  });
}
