/** A separate process for coordination.sqlite.test.ts: reserves `count` slots, prints them as JSON. */
import { SqliteStore } from "../../../src/store/sqlite-store.ts";

const [file = "", count = "0", t0 = "0"] = process.argv.slice(2);
const store = SqliteStore.open(file);
const slots: number[] = [];
for (let i = 0; i < Number(count); i++) {
  const at = await store.coordination().reserveSlot("post:C1", new Date(Number(t0)), 500, 3);
  slots.push(at.getTime());
}
await store.close();
process.stdout.write(JSON.stringify(slots));
