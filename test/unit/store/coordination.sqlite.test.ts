/**
 * The Coordination contract on SQLite (two connections to one file), and slots reserved from
 * separate OS processes sharing that file: none is given twice.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { SqliteStore } from "../../../src/store/sqlite-store.ts";
import type { Store } from "../../../src/store/store.ts";
import { coordinationContract } from "./coordination.contract.ts";
import { tempDir } from "./helpers.ts";

coordinationContract("SQLite", async () => {
  const { dir, cleanup } = tempDir();
  const opened: Store[] = [];
  return {
    connect: async () => {
      const store = SqliteStore.open(join(dir, "bot.db"));
      opened.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of opened) await store.close();
      cleanup();
    },
  };
});

const run = promisify(execFile);

describe("Coordination on one SQLite file from separate processes", () => {
  it("three processes reserving slots of one key at once get distinct slots, spaced by the interval", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = join(dir, "bot.db");
      await (await SqliteStore.open(file)).close(); // the schema, once
      const t0 = Date.UTC(2025, 0, 1, 10);
      const reserver = join(import.meta.dirname, "slot-reserver.ts");
      const outputs = await Promise.all(
        [1, 2, 3].map((n) =>
          run(process.execPath, ["--import", "tsx", reserver, file, "40", String(t0), `P${n}`], {
            cwd: process.cwd(),
          }),
        ),
      );
      const slots = outputs.flatMap((o) => JSON.parse(o.stdout) as number[]).map((t) => t - t0);
      expect(slots).toHaveLength(120);
      slots.sort((a, b) => a - b);
      expect(slots.slice(0, 3)).toEqual([0, 0, 0]);
      // After the burst, one slot a second: exactly the schedule of a single caller.
      expect(slots.slice(3)).toEqual(Array.from({ length: 117 }, (_, i) => (i + 1) * 500));
    } finally {
      cleanup();
    }
  }, 60_000);
});
