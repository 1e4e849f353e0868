/** SQLite-only facts of the audit log (the contract's are in contract/audit.contract.ts). */
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SqliteStore } from "../../../src/store/sqlite-store.ts";
import { at, tempDir } from "./helpers.ts";

describe("audit log in a SQLite file", () => {
  it("also refuses them from another connection to the file", async () => {
    const { dir, cleanup } = tempDir();
    const path = join(dir, "audit.db");
    const file = SqliteStore.open(path);
    const raw = new Database(path);
    try {
      await file.audit({ at: at(1), actor: "U1", kind: "action.approved", requestId: "act-1" });
      expect(() => raw.prepare("DELETE FROM audit_log WHERE request_id = 'act-1'").run()).toThrow(
        /append-only/,
      );
      expect(() => raw.prepare("UPDATE audit_log SET kind = 'action.rejected'").run()).toThrow(/append-only/);
      expect(await file.listAudit({ requestId: "act-1" })).toHaveLength(1);
    } finally {
      raw.close();
      await file.close();
      cleanup();
    }
  });
});
