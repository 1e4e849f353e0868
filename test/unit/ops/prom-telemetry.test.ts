import { describe, expect, it } from "vitest";
import {
  boundLabel,
  METRIC_NAMES,
  PromTelemetry,
  RUNBOOK_BUCKETS,
  STEP_BUCKETS,
  STORE_BUCKETS,
} from "../../../src/ops/prom-telemetry.ts";
import { find, parseExposition, total } from "../../fakes/prom-text.ts";

describe("PromTelemetry", () => {
  it("renders every metric of ours with its type, and Node's process metrics", async () => {
    const t = new PromTelemetry();
    const exp = parseExposition(await t.metrics());
    const counters = Object.values(METRIC_NAMES).filter((n) => n.endsWith("_total"));
    const histograms = Object.values(METRIC_NAMES).filter((n) => n.endsWith("_seconds"));
    for (const name of counters) expect(exp.types.get(name), name).toBe("counter");
    for (const name of histograms) expect(exp.types.get(name), name).toBe("histogram");
    expect(exp.types.get("process_resident_memory_bytes")).toBe("gauge");
    expect(exp.types.get("nodejs_eventloop_lag_seconds")).toBe("gauge");
    expect(t.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it("counters carry their labels and count", async () => {
    const t = new PromTelemetry({ defaultMetrics: false });
    t.alertReceived("alertmanager");
    t.alertReceived("alertmanager");
    t.alertMatched("alertmanager", "consumer-lag");
    t.incidentOpened("consumer-lag");
    t.incidentResolved("consumer-lag");
    t.probeError("kafka", "timeout");
    t.slackCall("chat.postMessage", "ok");
    t.slackCall("chat.postMessage", "error");
    t.slackRetry("chat.postMessage");
    t.approval("approved");
    t.actionFinished("scale-taskmanagers", "succeeded");
    const exp = parseExposition(await t.metrics());
    expect(total(exp, METRIC_NAMES.alertsReceived, { source: "alertmanager" })).toBe(2);
    expect(total(exp, METRIC_NAMES.alertsMatched, { source: "alertmanager", runbook: "consumer-lag" })).toBe(
      1,
    );
    expect(total(exp, METRIC_NAMES.incidentsOpened, { runbook: "consumer-lag" })).toBe(1);
    expect(total(exp, METRIC_NAMES.incidentsResolved, { runbook: "consumer-lag" })).toBe(1);
    expect(total(exp, METRIC_NAMES.probeErrors, { system: "kafka", kind: "timeout" })).toBe(1);
    expect(total(exp, METRIC_NAMES.slackCalls, { method: "chat.postMessage", outcome: "ok" })).toBe(1);
    expect(total(exp, METRIC_NAMES.slackCalls, { method: "chat.postMessage", outcome: "error" })).toBe(1);
    expect(total(exp, METRIC_NAMES.slackRetries, { method: "chat.postMessage" })).toBe(1);
    expect(total(exp, METRIC_NAMES.approvals, { outcome: "approved" })).toBe(1);
    expect(total(exp, METRIC_NAMES.actions, { action: "scale-taskmanagers", outcome: "succeeded" })).toBe(1);
  });

  it("histograms: our buckets, cumulative counts, sum and count", async () => {
    const t = new PromTelemetry({ defaultMetrics: false });
    t.stepFinished("consumer-lag", "assess", "warning", 0.3);
    t.stepFinished("consumer-lag", "assess", "warning", 7);
    t.runbookFinished("consumer-lag", "critical", 42);
    t.storeOperation("openIncident", "ok", 0.002);
    const exp = parseExposition(await t.metrics());
    const labels = { runbook: "consumer-lag", step: "assess", outcome: "warning" };
    const buckets = find(exp, `${METRIC_NAMES.stepDuration}_bucket`, labels);
    expect(buckets.map((b) => b.labels.le)).toEqual([...STEP_BUCKETS.map(String), "+Inf"]);
    const le = (v: string) => buckets.find((b) => b.labels.le === v)?.value;
    expect(le("0.25")).toBe(0);
    expect(le("0.5")).toBe(1);
    expect(le("5")).toBe(1);
    expect(le("10")).toBe(2);
    expect(le("+Inf")).toBe(2);
    expect(total(exp, `${METRIC_NAMES.stepDuration}_sum`, labels)).toBeCloseTo(7.3);
    expect(total(exp, `${METRIC_NAMES.stepDuration}_count`, labels)).toBe(2);
    const runs = find(exp, `${METRIC_NAMES.runbookDuration}_bucket`, { runbook: "consumer-lag" });
    expect(runs.map((b) => b.labels.le)).toEqual([...RUNBOOK_BUCKETS.map(String), "+Inf"]);
    expect(runs.find((b) => b.labels.le === "45")?.value).toBe(1);
    expect(runs.find((b) => b.labels.le === "30")?.value).toBe(0);
    const store = find(exp, `${METRIC_NAMES.storeDuration}_bucket`, {
      operation: "openIncident",
      outcome: "ok",
    });
    expect(store.map((b) => b.labels.le)).toEqual([...STORE_BUCKETS.map(String), "+Inf"]);
    expect(store.find((b) => b.labels.le === "0.0025")?.value).toBe(1);
  });

  it("a label value that is not a short plain name becomes `other`", async () => {
    expect(boundLabel("chat.postMessage")).toBe("chat.postMessage");
    expect(boundLabel("consumer-lag")).toBe("consumer-lag");
    expect(boundLabel("xoxb-1 secret")).toBe("other");
    expect(boundLabel("https://user:pw@host/")).toBe("other");
    expect(boundLabel("a".repeat(65))).toBe("other");
    expect(boundLabel("")).toBe("other");
    const t = new PromTelemetry({ defaultMetrics: false });
    t.alertMatched("webhook", "x y\nz");
    const exp = parseExposition(await t.metrics());
    expect(total(exp, METRIC_NAMES.alertsMatched, { source: "webhook", runbook: "other" })).toBe(1);
  });

  it("two instances keep their own registries", async () => {
    const a = new PromTelemetry({ defaultMetrics: false });
    const b = new PromTelemetry({ defaultMetrics: false });
    a.incidentOpened("dlq-spike");
    const exp = parseExposition(await b.metrics());
    expect(total(exp, METRIC_NAMES.incidentsOpened)).toBe(0);
  });
});
