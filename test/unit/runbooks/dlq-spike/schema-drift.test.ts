import { describe, expect, it } from "vitest";
import type { SampledRecord } from "../../../../src/ports/kafka.ts";
import {
  analyseSource,
  describeDrift,
  expectedFields,
  failingSenders,
  fieldsNamedIn,
  nameSimilarity,
  sourceDrifted,
} from "../../../../src/runbooks/dlq-spike/schema-drift.ts";

function rec(value: string | null, i = 0, source = "checkout-service", truncated = false): SampledRecord {
  return {
    partition: i % 3,
    offset: 100 + i,
    timestamp: "2025-01-13T10:29:59.000Z",
    key: `cust-${i}`,
    value,
    valueBytes: value === null ? 0 : value.length,
    truncated,
    headers: { source },
  };
}

const order = (over: Record<string, unknown> = {}, drop: string[] = []) => {
  const body: Record<string, unknown> = {
    order_id: "ord-1",
    customer_id: "cust-000123",
    created_at: "2025-01-13T10:29:59Z",
    currency: "USD",
    total_amount: 12.5,
    items: [{ sku: "A", quantity: 1 }],
    ...over,
  };
  for (const d of drop) delete body[d];
  return JSON.stringify(body);
};

describe("analyseSource", () => {
  it("finds nothing wrong in records of the expected shape", () => {
    const d = analyseSource(Array.from({ length: 10 }, (_, i) => rec(order({ channel: "web" }), i)));
    expect(d).toMatchObject({
      sampled: 10,
      malformed: 0,
      missing: [],
      renamed: [],
      retyped: [],
      nonConforming: 0,
    });
    expect(d.unexpected).toEqual(["channel"]);
    expect(sourceDrifted(d)).toBe(false);
  });

  it("names the field that replaced a missing one (customer_id -> cust_id)", () => {
    const d = analyseSource(
      Array.from({ length: 10 }, (_, i) =>
        rec(order({ cust_id: "cust-1", channel: "web" }, ["customer_id"]), i),
      ),
    );
    expect(d.missing).toEqual(["customer_id"]);
    expect(d.renamed).toEqual([{ from: "customer_id", to: "cust_id" }]);
    expect(d.unexpected).toEqual(["channel"]);
    expect(d.nonConforming).toBe(10);
    expect(sourceDrifted(d)).toBe(true);
    expect(describeDrift(d)).toBe("`customer_id` now arrives as `cust_id`");
  });

  it("reports a changed type", () => {
    const d = analyseSource(Array.from({ length: 4 }, (_, i) => rec(order({ total_amount: "12.50" }), i)));
    expect(d.retyped).toEqual([{ field: "total_amount", expected: "number", got: "string" }]);
    expect(describeDrift(d)).toBe("`total_amount` is now a string (expected number)");
  });

  it("counts malformed records and who sent them; a minority does not make a schema change", () => {
    const records = [
      ...Array.from({ length: 8 }, (_, i) => rec(order(), i)),
      rec('{"order_id": "ord-9", "cust', 8, "partner-api"),
      rec("not json", 9, "partner-api"),
      rec(null, 10),
    ];
    const d = analyseSource(records);
    expect(d).toMatchObject({ sampled: 10, malformed: 2, nonConforming: 2 });
    expect(d.nonConformingBySender).toEqual([{ sender: "partner-api", count: 2 }]);
    expect(sourceDrifted(d)).toBe(false);
  });

  it("calls a majority of non-JSON records a change of the source", () => {
    const d = analyseSource([rec("a|b|c", 0), rec("d|e|f", 1), rec(order(), 2)]);
    expect(sourceDrifted(d)).toBe(true);
    expect(describeDrift(d)).toBe("2 of 3 records are not JSON objects");
  });

  it("does not judge values cut to the sample bound", () => {
    const d = analyseSource([rec(order().slice(0, 20), 0, "x", true), rec(order(), 1)]);
    expect(d.malformed).toBe(0);
    expect(d.nonConforming).toBe(0);
  });

  it("checks fields the parse_error messages name too", () => {
    const expected = expectedFields(["missing field shipping_address", "KeyError: 'customer_id'"]);
    expect(expected.shipping_address).toBe("any");
    const d = analyseSource([rec(order(), 0)], expected);
    expect(d.missing).toEqual(["shipping_address"]);
  });
});

describe("field names and senders", () => {
  it("reads field names out of parser messages", () => {
    expect(
      fieldsNamedIn([
        "KeyError: 'customer_id'",
        "Missing required field `order_id`",
        '"total_amount" is required',
        "Unexpected end of JSON input",
      ]),
    ).toEqual(["customer_id", "order_id", "total_amount"]);
  });

  it("scores abbreviations as alike", () => {
    expect(nameSimilarity("customer_id", "cust_id")).toBeGreaterThan(
      nameSimilarity("customer_id", "channel"),
    );
    expect(nameSimilarity("order_id", "orderId")).toBeGreaterThan(0);
  });

  it("finds the sender most failing samples come from", () => {
    const messages = [
      ...Array.from({ length: 4 }, () => JSON.stringify({ source: "partner-api", detail: "x" })),
      JSON.stringify({ customer_id: "cust-1" }),
      "plain text",
    ];
    expect(failingSenders(messages)).toEqual({
      sampled: 5,
      distinct: 2,
      top: { sender: "partner-api", count: 4 },
    });
    expect(failingSenders(["no json"])).toBeUndefined();
  });
});
