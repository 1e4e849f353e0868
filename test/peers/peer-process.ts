/**
 * What every real peer's launcher (Kafka, Flink, the Kubernetes control plane) does with the
 * processes it starts: free ports on 127.0.0.1, a stop that waits for the exit (SIGTERM, then
 * SIGKILL after a grace period), and a guard that kills them when the test process goes away.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
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

/**
 * Runs a build or set-up tool (mvn, java) to its end with its output collected (colours
 * stripped); killed after `timeoutMs`. `peer` names the launcher in errors, `needs` says what
 * to install when the command is missing.
 */
export function runTool(
  peer: string,
  command: string,
  args: readonly string[],
  options: { readonly timeoutMs: number; readonly cwd: string; readonly needs: string },
): Promise<{ code: number; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new Error(
          err.code === "ENOENT"
            ? `${peer}: \`${command}\` is not on PATH (${options.needs})`
            : `${peer}: could not run ${command}: ${err.message}`,
        ),
      );
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code: code ?? (signal ? 128 : 1), output: output.replace(/\u001b\[[0-9;]*m/g, "") });
    });
  });
}

/** The last `lines` lines of a text (a tool's output in an error). */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** The last lines of a peer's log file, or why there are none. */
export function logTail(logFile: string): string {
  try {
    if (statSync(logFile).size === 0) return "(empty log)";
    return tail(readFileSync(logFile, "utf8"));
  } catch {
    return "(no log)";
  }
}

/**
 * A launcher run as a command (`npm run peers:kafka`): starts the peer, prints where it is, and
 * stops it on Ctrl-C or SIGTERM. `progress` writes the launcher's own lines.
 */
export async function serveUntilSignal<P extends { stop(): Promise<void> }>(
  start: () => Promise<P>,
  announce: (peer: P) => void,
  progress: (message: string) => void,
): Promise<void> {
  const peer = await start();
  announce(peer);
  const shutdown = (): void => {
    progress("stopping...");
    peer.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        progress(String(err));
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
  // Keep the process alive while the peer runs.
  setInterval(() => {}, 1 << 30);
}
