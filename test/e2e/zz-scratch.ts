import { startHarness, textOf } from "./harness.ts";

const h = await startHarness();
const root = await h.runAlert("consumer-lag");
const status = h.botReplies(root.ts)[0]!;
await h.restartBot();
await h.postAlert("consumer-lag", "firing", 2);
await h.waitForReply(root.ts, (m) => m.text.includes("fired again (x2)"));
await h.idle();
console.log(textOf(h.emulator.findMessage((m) => m.ts === status.ts)!));
await h.stop();
