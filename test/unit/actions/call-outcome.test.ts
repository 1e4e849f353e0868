/** Issue 10, finding 3: which errors of a write leave its outcome unknown (never "failed"). */
import { describe, expect, it } from "vitest";
import type { ActionContext } from "../../../src/actions/action.ts";
import { actionIds, findAction } from "../../../src/actions/registry.ts";
import { AwsCallError } from "../../../src/adapters/aws/aws-call.ts";
import { TimeoutError } from "../../../src/adapters/kafka/with-timeout.ts";
import { callOutcomeOf } from "../../../src/core/call-outcome.ts";
import { systemClock } from "../../../src/ports/clock.ts";
import { KubernetesError } from "../../../src/ports/kubernetes.ts";
import { testConfig } from "./config.ts";

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("callOutcomeOf", () => {
  it.each([
    [
      "our own timeout (AbortSignal.timeout)",
      new DOMException("The operation was aborted due to timeout", "TimeoutError"),
    ],
    ["an AbortError", new DOMException("This operation was aborted", "AbortError")],
    ["the Kafka adapter's withTimeout", new TimeoutError("the call got no answer within 5000 ms")],
    [
      "a Kubernetes timeout",
      new KubernetesError("timeout", "the Kubernetes API at http://x did not answer within 10000 ms"),
    ],
    [
      "a Kubernetes connection reset after sending",
      new KubernetesError("unreachable", "could not reach the Kubernetes API at http://x: socket hang up"),
    ],
    ["an AWS timeout", new AwsCallError("timeout", "TimeoutError", "Firehose UpdateDestination: no answer")],
    [
      "an AWS connection reset",
      new AwsCallError("unreachable", "ECONNRESET", "could not reach Firehose: read ECONNRESET"),
    ],
    ["ETIMEDOUT", withCode("connect ETIMEDOUT 10.0.0.1:443", "ETIMEDOUT")],
    ["ECONNRESET", withCode("read ECONNRESET", "ECONNRESET")],
    ["socket hang up", withCode("socket hang up", "ECONNRESET")],
    [
      "undici's closed socket, as fetch's cause",
      new TypeError("fetch failed", { cause: withCode("other side closed", "UND_ERR_SOCKET") }),
    ],
    [
      "a KafkaJS request timeout",
      Object.assign(new Error("Request timed out"), { name: "KafkaJSRequestTimeoutError" }),
    ],
  ])("%s: unknown", (_, error) => {
    expect(callOutcomeOf(error)).toBe("unknown");
  });

  it.each([
    ["connection refused (nothing sent)", withCode("connect ECONNREFUSED 127.0.0.1:6443", "ECONNREFUSED")],
    ["DNS", withCode("getaddrinfo ENOTFOUND kube.example", "ENOTFOUND")],
    [
      "Kubernetes unreachable: refused",
      new KubernetesError(
        "unreachable",
        "could not reach the Kubernetes API at http://x: connect ECONNREFUSED 127.0.0.1:1",
      ),
    ],
    ["a Kubernetes HTTP answer (403)", new KubernetesError("forbidden", "forbidden: ...", 403)],
    [
      "a Kubernetes HTTP answer (500)",
      new KubernetesError("server-error", "Kubernetes API error 500: boom", 500),
    ],
    [
      "a 504 the server answered",
      new KubernetesError("server-error", "Kubernetes API error 504: timeout", 504),
    ],
    ["a local refusal", new KubernetesError("refused", "the deployment is paused")],
    ["an AWS error answer", new AwsCallError("invalid", "InvalidArgumentException", "Firehose failed")],
    [
      "an AWS endpoint refused",
      new AwsCallError("unreachable", "ECONNREFUSED", "could not reach Firehose: connect ECONNREFUSED"),
    ],
    ["a plain error", new Error("the checkpoint failed: declined")],
    ["not an error at all", "boom"],
    ["null", null],
  ])("%s: failed", (_, error) => {
    expect(callOutcomeOf(error)).toBe("failed");
  });

  it("an HTTP status anywhere first in the chain wins over a timeout-looking message", () => {
    const answered = Object.assign(new Error("Request timeout"), { $metadata: { httpStatusCode: 408 } });
    expect(callOutcomeOf(answered)).toBe("failed");
  });

  it("a cycle in the cause chain ends", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(callOutcomeOf(a)).toBe("failed");
  });
});

describe("what to check when an outcome is unknown", () => {
  it("every action names the resource and field to look at", () => {
    for (const id of actionIds()) {
      const def = findAction(id)!;
      expect(def.outcomeCheck, id).toBeDefined();
    }
  });

  it("scale names spec.replicas with both values", () => {
    const check = findAction("scale-taskmanagers")!.outcomeCheck!({
      namespace: "flink",
      deployment: "flink-taskmanager",
      replicas: 8,
      fromReplicas: 4,
    });
    expect(check).toBe("spec.replicas of deployment flink/flink-taskmanager (8 if it applied, 4 if not)");
  });
});

describe("settle reads the real state", () => {
  const kubernetesWith = (read: Record<string, unknown>) =>
    ({ ports: { clock: systemClock, kubernetes: read }, config: testConfig() }) as unknown as ActionContext;

  it("scale: applied when spec.replicas is the target", async () => {
    const params = { namespace: "flink", deployment: "flink-taskmanager", replicas: 8, fromReplicas: 4 };
    const at = (replicas: number) => kubernetesWith({ getScale: async () => ({ replicas }) });
    expect(await findAction("scale-taskmanagers")!.settle!(params, at(8))).toEqual({
      applied: true,
      detail: "8 taskmanagers (spec.replicas of flink/flink-taskmanager)",
    });
    expect((await findAction("scale-taskmanagers")!.settle!(params, at(4))).applied).toBe(false);
  });

  it("grow-pvc: applied when the claim requests the new size", async () => {
    const params = { namespace: "flink", claim: "state-0", from: "10Gi", to: "20Gi" };
    const at = (requested: string) => kubernetesWith({ volumeClaim: async () => ({ requested }) });
    expect((await findAction("grow-pvc")!.settle!(params, at("20Gi"))).applied).toBe(true);
    expect((await findAction("grow-pvc")!.settle!(params, at("10Gi"))).applied).toBe(false);
  });
});
