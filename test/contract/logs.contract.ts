/**
 * What every LogsPort must do, whoever answers: the real Logs Insights adapter (moto + stand-in)
 * and the sandbox's simulated logs.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { renderLogQuery } from "../../src/core/log-queries.ts";
import type { LogsPort } from "../../src/ports/logs.ts";

export interface LogsContractSubject {
  readonly port: LogsPort;
  /** A log group with events in [start, end]. */
  readonly logGroup: string;
  readonly start: Date;
  readonly end: Date;
}

/** Logs Insights gives "2025-01-13 10:30:45.123" (moto: epoch milliseconds). */
function timeOf(value: string | undefined): number {
  if (value === undefined) return Number.NaN;
  return /^\d+$/.test(value) ? Number(value) : Date.parse(`${value.replace(" ", "T")}Z`);
}

export function logsContract(name: string, makeSubject: () => Promise<LogsContractSubject>): void {
  describe(`LogsPort contract: ${name}`, () => {
    let s: LogsContractSubject;
    beforeAll(async () => {
      s = await makeSubject();
    });

    it("a fields / sort / limit query: at most `limit` rows of the named fields, newest first, in the range", async () => {
      const result = await s.port.query({
        logGroups: [s.logGroup],
        query: "fields @timestamp, @message | sort @timestamp desc | limit 3",
        start: s.start,
        end: s.end,
      });
      expect(result.outcome).toBe("complete");
      expect(result.queryId).not.toBe("");
      expect(result.rows.length).toBeGreaterThan(0);
      expect(result.rows.length).toBeLessThanOrEqual(3);
      const times = result.rows.map((row) => timeOf(row["@timestamp"]));
      for (const [i, row] of result.rows.entries()) {
        expect(Object.keys(row).sort()).toEqual(["@message", "@timestamp"]);
        expect(times[i]).toBeGreaterThanOrEqual(s.start.getTime());
        expect(times[i]).toBeLessThanOrEqual(s.end.getTime());
        if (i > 0) expect(times[i]).toBeLessThanOrEqual(times[i - 1]!);
      }
    });

    it("the runbook's DLQ breakdown: error_type and count per row, largest count first", async () => {
      const result = await s.port.query({
        logGroups: [s.logGroup],
        query: renderLogQuery("dlq-by-error-type"),
        start: s.start,
        end: s.end,
      });
      expect(result.outcome).toBe("complete");
      expect(result.rows.length).toBeGreaterThan(0);
      const counts = result.rows.map((row) => Number(row.count));
      for (const [i, row] of result.rows.entries()) {
        expect(row.error_type).toMatch(/^[a-z_]+$/);
        expect(Number.isInteger(counts[i])).toBe(true);
        expect(row["@ptr"]).toBeUndefined();
        if (i > 0) expect(counts[i]).toBeLessThanOrEqual(counts[i - 1]!);
      }
      if (result.statistics) {
        expect(result.statistics.recordsMatched).toBeLessThanOrEqual(result.statistics.recordsScanned);
      }
    });

    it("an unknown log group is refused as CloudWatch refuses it", async () => {
      await expect(
        s.port.query({ logGroups: ["no-such-group"], query: "fields @message", start: s.start, end: s.end }),
      ).rejects.toThrow("The specified log group does not exist");
    });

    it("an aborted signal: rejects without running", async () => {
      const controller = new AbortController();
      controller.abort(new Error("cancelled by the engine"));
      await expect(
        s.port.query({
          logGroups: [s.logGroup],
          query: "fields @message",
          start: s.start,
          end: s.end,
          signal: controller.signal,
        }),
      ).rejects.toThrow("cancelled by the engine");
    });
  });
}
