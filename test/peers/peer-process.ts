/**
 * What every real peer's launcher (Kafka, Flink, the Kubernetes control plane) does with the
 * processes it starts: free ports on 127.0.0.1, a stop that waits for the exit (SIGTERM, then
 * SIGKILL after a grace period), and a guard that kills them when the test process goes away.
 */
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** `count` distinct free TCP ports on 127.0.0.1 (each bound once, then released). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolveServer, reject) => {
          const server = createServer();
          server.once("error", reject);
          server.listen(0, "127.0.0.1", () => resolveServer(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("peer: no free port");
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise<void>((done) => server.close(() => done()))));
  return ports;
}

/** SIGTERM, then SIGKILL when the process has not exited within `graceMs`; resolves at its exit. */
export async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  // Keep this process alive until the child is gone (a launcher may have unref'd it).
  child.ref();
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<boolean>((done) => {
    timer = setTimeout(() => done(true), graceMs);
  });
  const timedOut = await Promise.race([exited.then(() => false), graceOver]);
  clearTimeout(timer);
  if (timedOut) {
    child.kill("SIGKILL");
    await exited;
  }
}

/**
 * Makes sure the peer's processes do not outlive this one: `killNow` runs when the process exits,
 * and on SIGINT/SIGTERM/SIGHUP when nobody else handles the signal (then the signal is re-raised).
 */
export function installExitGuard(killNow: () => void): { remove(): void } {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (process.listenerCount(signal) > 1) return; // someone else handles it; "exit" still covers us
    killNow();
    remove();
    process.kill(process.pid, signal);
  };
  const remove = (): void => {
    process.removeListener("exit", killNow);
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
  process.on("exit", killNow);
  for (const signal of signals) process.on(signal, onSignal);
  return { remove };
}
