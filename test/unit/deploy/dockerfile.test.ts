/**
 * The Dockerfile, checked statically (no Docker on these machines): multi-stage, non-root,
 * no secrets, and the runtime stage holds everything bin/runbook-bot.js loads.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFileSync(join(root, path), "utf8");

interface Instruction {
  readonly op: string;
  readonly args: string;
}
interface Stage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

/** Instructions with line continuations joined and comments dropped, grouped by FROM. */
function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    if (/^\s*#/.test(line)) continue;
    if (line.trimEnd().endsWith("\\")) {
      current += `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim().replace(/\s+/g, " "));
    current = "";
  }
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, op = "", rest = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { op: op.toUpperCase(), args: rest };
    if (instruction.op === "FROM") {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      stages.push({ from: m?.[1] ?? rest, ...(m?.[2] ? { name: m[2] } : {}), instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(read("Dockerfile"));
const { stages } = dockerfile;
const final = stages.at(-1)!;
const all = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);
const pkg = JSON.parse(read("package.json")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The ARG default a FROM like ${NODE_IMAGE} resolves to. */
function resolveImage(from: string): string {
  return from.replace(/\$\{?(\w+)\}?/g, (_, name: string) => {
    const arg = dockerfile.args.find((a) => a.op === "ARG" && a.args.startsWith(`${name}=`));
    return arg ? arg.args.slice(name.length + 1) : `\${${name}}`;
  });
}

/** The stage a FROM or COPY --from names, following `FROM <stage>` chains. */
function stageNamed(name: string): Stage | undefined {
  return stages.find((s) => s.name === name);
}
function lineage(stage: Stage): Stage[] {
  const parent = stageNamed(stage.from);
  return parent ? [...lineage(parent), stage] : [stage];
}

/** Paths the final stage copies, mapped to the source (a stage name or "context"). */
function finalCopies(): { from: string; sources: string[]; dest: string }[] {
  return all(final, "COPY").map((copy) => {
    const words = copy.args.split(" ");
    const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length) ?? "context";
    const paths = words.filter((w) => !w.startsWith("--"));
    return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
  });
}

/** Bare module specifiers a file loads at run time (type-only imports are erased). */
function runtimeImports(text: string): { bare: string[]; relative: string[] } {
  const specifiers = [
    ...[...text.matchAll(/^\s*import\s+(?!type\s)[^;]*?\sfrom\s+"([^"]+)"/gms)].map((m) => m[1]!),
    ...[...text.matchAll(/^\s*import\s+"([^"]+)"/gm)].map((m) => m[1]!),
    ...[...text.matchAll(/^\s*export\s+(?!type\s)[^;]*?\sfrom\s+"([^"]+)"/gms)].map((m) => m[1]!),
    ...[...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!),
  ];
  return {
    bare: specifiers.filter((s) => !s.startsWith(".") && !s.startsWith("node:")),
    relative: specifiers.filter((s) => s.startsWith(".")),
  };
}

function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

describe("Dockerfile", () => {
  it("is multi-stage, on a current Node LTS slim image", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages.filter((s) => !stageNamed(s.from))) {
      expect(resolveImage(stage.from)).toMatch(/^node:(22|24)(\.\d+)*-(bookworm|trixie)-slim$/);
    }
  });

  it("installs with npm ci where a compiler is available for better-sqlite3", () => {
    const build = stages.find((s) => all(s, "RUN").some((r) => /\bnpm ci\b/.test(r.args)));
    expect(build, "a stage that runs npm ci").toBeDefined();
    const apt = all(build!, "RUN").find((r) => /apt-get install/.test(r.args));
    for (const tool of ["python3", "make", "g++"]) expect(apt?.args).toContain(` ${tool}`);
    expect(all(build!, "COPY").some((c) => /package-lock\.json/.test(c.args))).toBe(true);
  });

  it("copies production-only node_modules into the final stage", () => {
    const copy = finalCopies().find((c) => c.sources.some((s) => /node_modules\/?$/.test(s)));
    expect(copy, "COPY --from=<stage> .../node_modules").toBeDefined();
    const source = stageNamed(copy!.from);
    expect(source, `stage ${copy!.from}`).toBeDefined();
    const runs = lineage(source!).flatMap((s) => all(s, "RUN").map((r) => r.args));
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm prune --omit=dev\b/.test(r))).toBe(true);
  });

  it("runs as a non-root numeric user", () => {
    const users = all(final, "USER");
    expect(users.length).toBeGreaterThan(0);
    const [uid, gid] = users.at(-1)!.args.split(":");
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
    expect(Number(uid)).toBe(10001);
    if (gid !== undefined) expect(Number(gid)).toBeGreaterThan(0);
    // USER comes after the last RUN, so nothing after it runs as root.
    const last = final.instructions.map((i) => i.op).lastIndexOf("RUN");
    expect(final.instructions.indexOf(users.at(-1)!)).toBeGreaterThan(last);
  });

  it("sets no secrets in ENV or ARG", () => {
    const settings = [...dockerfile.args, ...stages.flatMap((s) => s.instructions)].filter(
      (i) => i.op === "ENV" || i.op === "ARG",
    );
    for (const setting of settings) {
      expect(setting.args).not.toMatch(/TOKEN|SECRET|PASSW|CREDENTIAL|API_?KEY|AWS_ACCESS|AWS_SECRET/i);
      expect(setting.args).not.toMatch(/xox[abp]-|xapp-/);
    }
    expect(read("Dockerfile")).not.toMatch(/xox[abp]-[A-Za-z0-9]|xapp-\d-[A-Za-z0-9]/);
  });

  it("copies everything bin/runbook-bot.js loads: the compiled dist/, not the sources", () => {
    const copies = finalCopies();
    const copied = new Set(
      copies.flatMap((c) => c.sources.map((s) => s.replace(/^(\.|\/app)\//, "").replace(/\/$/, ""))),
    );
    for (const needed of ["bin", "dist", "package.json"]) expect(copied, needed).toContain(needed);
    expect(copied, "no TypeScript sources in the image").not.toContain("src");
    const bin = read("bin/runbook-bot.js");
    expect(bin).toContain("dist/src/cli/main.js");
    // tsx only on the opt-in sources path (RUNBOOK_BOT_FROM_SOURCES), never at run time.
    const { bare } = runtimeImports(bin);
    for (const specifier of bare.filter((s) => packageName(s) !== "tsx")) {
      expect(Object.keys(pkg.dependencies), `${specifier} must be a production dependency`).toContain(
        packageName(specifier),
      );
    }
    expect(Object.keys(pkg.dependencies)).not.toContain("tsx");
    expect(Object.keys(pkg.devDependencies)).toContain("tsx");
  });

  it("builds dist/ in a build stage (npm ci runs the prepare script: tsc -p tsconfig.build.json)", () => {
    const copy = finalCopies().find((c) => c.sources.some((s) => /^\/app\/dist\/?$/.test(s)));
    expect(copy, "COPY --from=<stage> /app/dist").toBeDefined();
    const source = stageNamed(copy!.from);
    expect(source, `stage ${copy!.from}`).toBeDefined();
    const stagesOf = lineage(source!);
    const copiedIn = stagesOf.flatMap((s) => all(s, "COPY").map((c) => c.args)).join(" ");
    for (const needed of ["tsconfig.build.json", "src", "bench", "bin"]) expect(copiedIn).toContain(needed);
    const runs = stagesOf.flatMap((s) => all(s, "RUN").map((r) => r.args));
    expect(runs.some((r) => /\bnpm ci\b/.test(r) && /dist\/src\/cli\/main\.js/.test(r))).toBe(true);
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect(scripts.prepare).toBe("npm run build");
    expect(scripts.build).toBe("tsc -p tsconfig.build.json");
  });

  it("keeps every package src/ loads at run time (production dependencies survive the prune)", () => {
    const dir = join(root, "src");
    const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const used = new Set(files.flatMap((f) => runtimeImports(readFileSync(join(dir, f), "utf8")).bare));
    expect(used).toContain("@slack/bolt");
    const missing = [...used].map(packageName).filter((name) => pkg.dependencies[name] === undefined);
    expect(missing, "imported at run time but not in dependencies").toEqual([]);
  });

  it("starts the bot with the mounted config", () => {
    expect(all(final, "ENTRYPOINT").map((i) => JSON.parse(i.args) as unknown)).toEqual([
      ["node", "bin/runbook-bot.js"],
    ]);
    expect(all(final, "CMD").map((i) => JSON.parse(i.args) as unknown)).toEqual([
      ["serve", "--config", "/etc/runbook-bot/config.yaml"],
    ]);
  });

  it("keeps the SQLite store on a writable /data volume owned by the runtime user", () => {
    expect(all(final, "VOLUME").map((i) => i.args)).toEqual(['["/data"]']);
    const runs = all(final, "RUN").map((r) => r.args);
    expect(runs.some((r) => /chown 10001:10001 \/data\b/.test(r))).toBe(true);
    expect(runs.some((r) => /path: \/data\/runbook-bot\.db/.test(r))).toBe(true);
  });
});

describe(".dockerignore", () => {
  const patterns = read(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const ignored = (path: string) =>
    patterns.some((p) => {
      const regex = new RegExp(
        `^${p
          .replace(/^\//, "")
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, "[^/]*")}(/.*)?$`,
      );
      return regex.test(path);
    });

  it("keeps local state, dependencies and secrets out of the build context", () => {
    for (const path of [
      "node_modules",
      ".git",
      "data",
      "data/runbook-bot.db",
      "x.db",
      "config.yaml",
      ".env",
      "dist",
    ]) {
      expect(ignored(path), path).toBe(true);
    }
  });

  it("keeps what the build needs", () => {
    const needed = [
      "package.json",
      "package-lock.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "bin",
      "bin/runbook-bot.js",
    ];
    for (const path of [...needed, "src/cli/main.ts", "test/unit/approval.test.ts", "bench"]) {
      expect(ignored(path), path).toBe(false);
    }
  });
});
