/**
 * The outbox over an asynchronous ledger (a networked store): an entry is written before its call
 * goes out, and calls go out in the order they were handed in even when the ledger answers out of
 * order.
 */
import { describe, expect, it } from "vitest";
import { Outbox, systemOutboxTimer } from "../../../src/slack/outbox/index.ts";
import {
  type LedgerEntry,
  MemoryOutboxLedger,
  type NewLedgerEntry,
  type OutboxCall,
  type OutboxLedger,
} from "../../../src/store/outbox-ledger.ts";

/** A ledger whose writes take a random while (a few ms), answering out of order. */
class SlowLedger implements OutboxLedger {
  readonly inner = new MemoryOutboxLedger();
  readonly written: string[] = [];
  async add(entry: NewLedgerEntry, at?: Date): Promise<number> {
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 8)));
    this.written.push(String(entry.call.args.text));
    return this.inner.add(entry, at);
  }
  remove(id: number): Promise<void> {
    return this.inner.remove(id);
  }
  list(): Promise<LedgerEntry[]> {
    return this.inner.list();
  }
}

const post = (text: string): OutboxCall => ({ method: "chat.postMessage", args: { channel: "C1", text } });

describe("outbox over an asynchronous ledger", () => {
  it("writes each entry before its call and sends in call order", async () => {
    const ledger = new SlowLedger();
    const sent: string[] = [];
    const outbox = new Outbox({
      ledger,
      timer: systemOutboxTimer,
      limits: { postPerChannel: { perSecond: 1000, burst: 1000 } },
      send: async (call) => {
        const text = String(call.args.text);
        // Durable: its entry was written before the call went out.
        if (text.startsWith("durable")) expect(ledger.written).toContain(text);
        sent.push(text);
        return { ts: "1.1" };
      },
    });
    const texts = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? `plain ${i}` : `durable ${i}`));
    await Promise.all(texts.map((t) => outbox.post(post(t), { durable: t.startsWith("durable") })));
    expect(sent).toEqual(texts);
    expect(await ledger.list()).toEqual([]);
    await outbox.close(100);
  });
});
