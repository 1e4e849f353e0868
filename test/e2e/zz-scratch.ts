import { CHANNEL, startHarness, textOf, elementsOf, scaleButtonId } from "./harness.ts";
const h = await startHarness();
const t0 = Date.now();
const root = await h.postAlert("consumer-lag");
await h.emulator.waitFor((m) => m.thread_ts === root.ts && /Step 4/.test(textOf(m)), 20000);
await h.idle();
console.log("ms", Date.now() - t0);
for (const m of h.emulator.thread(CHANNEL, root.ts)) {
  console.log("=====", m.ts, m.user, m.bot_id);
  console.log(textOf(m));
  console.log(JSON.stringify(elementsOf(m).map(e => [e.type, e.action_id, e.value])));
}
const replies = h.botReplies(root.ts);
const withScale = replies.find(m => scaleButtonId(m));
console.log("scale btn", withScale && scaleButtonId(withScale));
console.log("failed", h.failedCalls());
console.log(h.kube.requests.map(r => `${r.method} ${r.path}`));
await h.stop();
