#!/usr/bin/env node
// Entry point of the `runbook-bot` command. The sources are TypeScript run through tsx's loader,
// so a checkout works right after `npm install` without a build step.
import { register } from "tsx/esm/api";

// `runbook-bot runbooks | head`: a reader that goes away is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
