/**
 * The logger (src/logger.ts): errors logged as objects keep their type, message, stack and cause
 * chain, masked like every other field; child loggers put the incident, runbook and request ids
 * on every line they write.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.ts";

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { logger: createLogger("info", stream), lines };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("logger", () => {
  it("an error keeps its type, message, stack and cause chain", async () => {
    const { logger, lines } = capture();
    class StoreDown extends Error {
      override name = "StoreDown";
    }
    const root = new TypeError("socket hang up");
    const error = new StoreDown("could not reach the store", { cause: root });
    logger.error({ err: error }, "store write failed");
    await tick();
    const err = lines[0]?.err as { type: string; message: string; stack: string };
    expect(err.type).toBe("StoreDown");
    expect(err.message).toBe("could not reach the store: socket hang up");
    expect(err.stack).toContain("StoreDown: could not reach the store\n    at ");
    expect(err.stack).toContain("caused by: TypeError: socket hang up");
    expect(err.stack).toContain("logger.test.ts");
  });

  it("masks credentials in the message, the stack and the causes of an error", async () => {
    const { logger, lines } = capture();
    const cause = new Error("connect postgres://bot:s3cret-pw@db.internal:5432/bot refused");
    const error = new Error("GET https://hooks.example/x?token=abc123 failed", { cause });
    (error as Error & { url?: string }).url = "https://u:hunter2@api.example/";
    logger.warn({ err: error }, "call failed");
    await tick();
    const text = JSON.stringify(lines[0]);
    for (const secret of ["s3cret-pw", "abc123", "hunter2"]) expect(text).not.toContain(secret);
    const err = lines[0]?.err as { message: string; stack: string; url: string };
    expect(err.message).toContain("postgres://bot:***@db.internal:5432/bot refused");
    expect(err.stack).toContain("caused by: Error: connect postgres://bot:***@db.internal");
    expect(err.url).toBe("https://u:***@api.example/");
  });

  it("a child logger puts incident, runbook and request on every line", async () => {
    const { logger, lines } = capture();
    const log = logger.child({ incident: "inc-1a2b", runbook: "consumer-lag" }).child({ request: "act-9f" });
    log.info("executing");
    log.error({ err: new Error("boom") }, "failed");
    await tick();
    for (const line of lines) {
      expect(line).toMatchObject({ incident: "inc-1a2b", runbook: "consumer-lag", request: "act-9f" });
    }
    expect(lines).toHaveLength(2);
  });
});
