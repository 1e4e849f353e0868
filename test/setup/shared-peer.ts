/**
 * One instance of each peer per test run, however many projects need it: vitest runs every
 * project's global setup in its own module graph but in one process, so the registry lives on
 * globalThis. A peer starts on its first acquire and stops when its last user releases it.
 */
interface Running {
  readonly started: Promise<{ readonly stop: () => Promise<void> }>;
  users: number;
}

const KEY = Symbol.for("runbook-bot.test-peers");
const holder = globalThis as { [KEY]?: Map<string, Running> };
holder[KEY] ??= new Map();
const registry: Map<string, Running> = holder[KEY];

export async function acquirePeer<T extends { readonly stop: () => Promise<void> }>(
  name: string,
  start: () => Promise<T>,
): Promise<{ readonly peer: T; release(): Promise<void> }> {
  let running = registry.get(name);
  if (!running) {
    running = { started: start(), users: 0 };
    registry.set(name, running);
  }
  running.users += 1;
  const entry = running;
  let peer: T;
  try {
    peer = (await entry.started) as T;
  } catch (error) {
    registry.delete(name);
    throw error;
  }
  let released = false;
  return {
    peer,
    async release() {
      if (released) return;
      released = true;
      entry.users -= 1;
      if (entry.users > 0) return;
      registry.delete(name);
      await peer.stop();
    },
  };
}
