import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * One config; each project starts only the peers its files need.
 *   npm run test:unit          unit tests, no peer, no server: the loop while developing (< 1 min)
 *   npx vitest run --project drills | local | kafka | aws | kube | postgres | kafka+aws | ...
 *   npx vitest run <file>      one file, with only the peers that file needs
 *   npm test                   lint, typecheck and every project
 *
 * A file's peers are what it reads with `inject("...")` (typed in test/setup/provided.d.ts), so a
 * new test needs no list here: the files of test/contract, test/integration and test/e2e are
 * grouped by the peers they inject, and a project's global setups start those peers. A peer
 * shared by two projects starts once per run (test/setup/shared-peer.ts).
 */
const shared = { testTimeout: 30_000, hookTimeout: 180_000, pool: "forks" } as const;

/** Which peer (its global setup, test/setup/<peer>.setup.ts) provides each injected value. */
const PEER_OF: Readonly<Record<string, string>> = {
  kafkaBrokers: "kafka",
  kafkaVersion: "kafka",
  kafkaSecure: "kafka",
  motoEndpoint: "aws",
  kubePeer: "kube",
  postgresUrl: "postgres",
};
const SETUP_OF: Readonly<Record<string, string>> = {
  kafka: "test/setup/kafka.setup.ts",
  aws: "test/setup/moto.setup.ts",
  kube: "test/setup/kube.setup.ts",
  postgres: "test/setup/postgres.setup.ts",
};
const PEER_ORDER = Object.keys(SETUP_OF);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => join(dir, f));
}

/** The peers a test file injects, in a fixed order. */
function peersOf(file: string): string[] {
  const peers = new Set<string>();
  for (const match of readFileSync(file, "utf8").matchAll(/\binject\("(\w+)"\)/g)) {
    const peer = PEER_OF[match[1] ?? ""];
    if (peer === undefined)
      throw new Error(`${file}: inject("${match[1]}") names no peer (vitest.config.ts)`);
    peers.add(peer);
  }
  return PEER_ORDER.filter((p) => peers.has(p));
}

/** The files of the folders that may talk to peers, grouped by the peers they need ("" for none). */
function byPeers(): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const file of ["test/contract", "test/integration", "test/e2e"].flatMap(testFiles)) {
    const key = peersOf(file).join("+");
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  return groups;
}

const groups = byPeers();
const peerProjects = [...groups]
  .filter(([key]) => key !== "")
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([key, files]) => ({
    test: { ...shared, name: key, include: files, globalSetup: key.split("+").map((p) => SETUP_OF[p] ?? p) },
  }));

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: "unit", include: ["test/unit/**/*.test.ts", "src/**/*.test.ts"] } },
      { test: { ...shared, name: "drills", include: ["test/drills/**/*.test.ts"] } },
      // Servers each test starts itself (the Slack emulator, stand-ins, bot processes), no shared peer.
      {
        test: {
          ...shared,
          name: "local",
          include: ["test/cli/**/*.test.ts", "test/sandbox/**/*.test.ts", ...(groups.get("") ?? [])],
        },
      },
      ...peerProjects,
    ],
  },
});
