/**
 * The layers are enforced by the linter (biome.json, noRestrictedImports per folder; issue 12
 * item 4). Each case lints one import as if it were a file in that folder (biome's
 * --stdin-file-path), so the rules are checked without writing into src/.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const BIOME = fileURLToPath(new URL("../../../node_modules/@biomejs/biome/bin/biome", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../../biome.json", import.meta.url));

const REFUSED: ReadonlyArray<readonly [string, string]> = [
  ["src/core/x.ts", "../slack/render/index.ts"],
  ["src/core/x.ts", "../store/store.ts"],
  ["src/core/x.ts", "../engine/run-probe.ts"],
  ["src/core/x.ts", "@slack/bolt"],
  ["src/ports/x.ts", "../adapters/aws/aws-call.ts"],
  ["src/runbooks/lag/x.ts", "../../adapters/kafka/index.ts"],
  ["src/runbooks/lag/x.ts", "kafkajs"],
  ["src/actions/x.ts", "../adapters/kubernetes/index.ts"],
  ["src/actions/x.ts", "@kubernetes/client-node"],
  ["src/engine/x.ts", "../store/sqlite-store.ts"],
  ["src/engine/x.ts", "../slack/render/index.ts"],
  ["src/engine/x.ts", "pg"],
  ["src/engine/x.ts", "prom-client"],
  ["src/slack/x.ts", "../cli/render/terminal.ts"],
  ["src/slack/render/x.ts", "../../cli/render/terminal.ts"],
  ["src/sandbox/simulated/x.ts", "../../cli/main.ts"],
  ["src/adapters/aws/x.ts", "../../engine/action-desk.ts"],
  ["src/store/x.ts", "../slack/outbox/index.ts"],
  ["src/config/x.ts", "../engine/action-desk.ts"],
];

const ALLOWED: ReadonlyArray<readonly [string, string]> = [
  ["src/core/x.ts", "./records.ts"],
  ["src/core/x.ts", "../ports/kafka.ts"],
  ["src/runbooks/lag/x.ts", "../../core/runbook.ts"],
  ["src/engine/x.ts", "../store/store.ts"],
  ["src/engine/x.ts", "../store/coordination.ts"],
  ["src/engine/x.ts", "../actions/registry.ts"],
  ["src/slack/x.ts", "@slack/bolt"],
  ["src/slack/x.ts", "../engine/incident-service.ts"],
  ["src/adapters/kafka/x.ts", "kafkajs"],
  ["src/cli/x.ts", "../sandbox/start-sandbox.ts"],
];

/**
 * Lints every case at once in a scratch tree laid out like the repo (the repo's biome.json, one file
 * per case at its folder), and returns, per case file, whether the import was refused.
 */
function lintAll(cases: ReadonlyArray<readonly [string, string]>): { refused: Set<string>; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "runbook-bot-layers-"));
  try {
    copyFileSync(CONFIG, join(dir, "biome.json"));
    cases.forEach(([path, specifier], i) => {
      const file = join(dir, caseFile(path, i));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `import * as imported from "${specifier}";\nexport const used = imported;\n`);
    });
    const run = spawnSync(
      process.execPath,
      [BIOME, "lint", "--vcs-enabled=false", "--max-diagnostics=none", "."],
      {
        cwd: dir,
        encoding: "utf8",
      },
    );
    const output = `${run.stdout}${run.stderr}`;
    const refused = new Set<string>();
    for (const m of output.matchAll(/^(\S+\.ts):\d+:\d+ lint\/style\/noRestrictedImports/gm))
      refused.add(m[1] ?? "");
    return { refused, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `src/core/x.ts` -> `src/core/x-3.ts`: one file per case. */
const caseFile = (path: string, i: number) => path.replace(/\.ts$/, `-${i}.ts`);

const CASES = [...REFUSED, ...ALLOWED];
let linted: { refused: Set<string>; output: string };
beforeAll(() => {
  linted = lintAll(CASES);
});

describe("the layers, as the linter enforces them", () => {
  it.each(REFUSED.map((c, i) => [...c, i] as const))("%s may not import %s", (path, specifier, i) => {
    expect(linted.refused.has(caseFile(path, i)), `${specifier}\n${linted.output}`).toBe(true);
  });

  it.each(ALLOWED.map((c, i) => [...c, i + REFUSED.length] as const))(
    "%s may import %s",
    (path, specifier, i) => {
      expect(linted.refused.has(caseFile(path, i)), `${specifier}\n${linted.output}`).toBe(false);
    },
  );
});
