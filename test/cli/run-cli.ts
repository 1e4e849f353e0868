/** Runs the CLI in-process with captured streams. */
import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.ts";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(
  argv: string[],
  opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => {
    out += d.toString("utf8");
  });
  stderr.on("data", (d: Buffer) => {
    err += d.toString("utf8");
  });
  stdin.end(opts.stdin ?? "");
  const code = await main(argv, { stdin, stdout, stderr, env: opts.env ?? {} });
  return { code, stdout: out, stderr: err };
}
