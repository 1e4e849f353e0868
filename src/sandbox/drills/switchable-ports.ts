/**
 * Ports that forward to a world that can be swapped while the bot runs: the terminal sandbox's
 * `drill <scenario>` switches the simulated platform under the running bot.
 */
import type { Ports } from "../../ports/index.ts";

export interface SwitchablePorts {
  readonly ports: Ports;
  use(world: Ports): void;
  readonly current: Ports;
}

export function switchablePorts(initial: Ports): SwitchablePorts {
  let current = initial;
  const ports = new Proxy({} as Ports, {
    get: (_t, prop) => Reflect.get(current, prop),
    has: (_t, prop) => Reflect.has(current, prop),
    ownKeys: () => Reflect.ownKeys(current),
    getOwnPropertyDescriptor: (_t, prop) => {
      const d = Reflect.getOwnPropertyDescriptor(current, prop);
      return d ? { ...d, configurable: true } : undefined;
    },
  });
  return {
    ports,
    use(world) {
      current = world;
    },
    get current() {
      return current;
    },
  };
}
