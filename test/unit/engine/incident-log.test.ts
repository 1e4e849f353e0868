import { PassThrough } from "node:stream";
import { expect, it } from "vitest";
import { incidentLog } from "../../../src/engine/incident-log.ts";
import { createLogger } from "../../../src/logger.ts";

it("an incident's log lines carry incident and runbook; an action's also request and action", async () => {
  const out = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  out.on("data", (d: Buffer) => {
    for (const line of d.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line));
  });
  const logger = createLogger("info", out);
  const incident = { id: "inc-7", runbookId: "dlq-spike" };
  incidentLog(logger, incident).warn({ step: "assess" }, "a step's message did not reach the thread");
  incidentLog(logger, incident, { id: "act-3", action: "scale-taskmanagers" }).error(
    { err: new Error("lease lost") },
    "lease renewal failed",
  );
  await new Promise((resolve) => setImmediate(resolve));
  expect(lines[0]).toMatchObject({ incident: "inc-7", runbook: "dlq-spike", step: "assess" });
  expect(lines[0]).not.toHaveProperty("request");
  expect(lines[1]).toMatchObject({
    incident: "inc-7",
    runbook: "dlq-spike",
    request: "act-3",
    action: "scale-taskmanagers",
    err: { type: "Error", message: "lease lost" },
  });
});
