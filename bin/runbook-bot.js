#!/usr/bin/env node
// Entry point of the `runbook-bot` command. It runs the compiled JavaScript in dist/, which
// `npm install` builds (the prepare script) and `npm run build` rebuilds: no TypeScript loader at
// run time. When dist/ is missing, or older than a file of src/ or bench/ (a checkout edited since
// the last build), it refuses with a message saying to run `npm run build` rather than run stale
// code. RUNBOOK_BOT_FROM_SOURCES=1 runs the TypeScript sources through tsx instead (a development
// checkout; tsx is a devDependency), which is what the tests that spawn this command use.
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

// `runbook-bot runbooks | head`: a reader that goes away is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const root = new URL("../", import.meta.url);
const compiled = new URL("dist/src/cli/main.js", root);

/** The newest modification time of the .ts files under a folder (0 when it is absent: the image). */
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.name.endsWith(".test.ts")) continue;
    newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
  }
  return newest;
}

let main;
if (process.env.RUNBOOK_BOT_FROM_SOURCES === "1") {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import(new URL("src/cli/main.ts", root).href));
} else {
  const built = existsSync(compiled) ? statSync(compiled).mtimeMs : undefined;
  const sources = Math.max(
    newestSource(fileURLToPath(new URL("src", root))),
    newestSource(fileURLToPath(new URL("bench", root))),
  );
  if (built === undefined || sources > built) {
    process.stderr.write(
      `runbook-bot: ${built === undefined ? "dist/ is missing" : "dist/ is older than src/"}: run \`npm run build\` ` +
        "(or set RUNBOOK_BOT_FROM_SOURCES=1 to run the TypeScript sources through tsx)\n",
    );
    process.exit(1);
  }
  ({ main } = await import(compiled.href));
}
process.exitCode = await main(process.argv.slice(2));
