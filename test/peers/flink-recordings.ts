/**
 * The REST responses recorded from a real Flink by scripts/flink/record-flink.ts, in
 * test/fixtures/flink-recordings/<version>/<scenario>/<name>.json. The Flink REST stand-in builds
 * every answer from these: it clones a recorded body and only sets values of keys that body has.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const RECORDINGS_DIR = join(
  resolve(dirname(fileURLToPath(import.meta.url)), "../.."),
  "test/fixtures/flink-recordings",
);

/** The Flink versions recordings exist for. */
export const RECORDED_VERSIONS = ["1.20.3", "2.1.1"] as const;
export type RecordedVersion = (typeof RECORDED_VERSIONS)[number];

export interface Recording {
  readonly flinkVersion: string;
  readonly scenario: string;
  readonly recordedAt: string;
  readonly request: { readonly method: "GET" | "POST"; readonly path: string; readonly body?: unknown };
  readonly response: { readonly status: number; readonly contentType: string | null; readonly body: unknown };
}

const cache = new Map<string, Recording>();

export function recording(version: string, scenario: string, name: string): Recording {
  const key = `${version}/${scenario}/${name}`;
  let found = cache.get(key);
  if (!found) {
    const path = join(RECORDINGS_DIR, version, scenario, `${name}.json`);
    try {
      found = JSON.parse(readFileSync(path, "utf8")) as Recording;
    } catch (error) {
      throw new Error(
        `flink-recordings: no recording ${key} (run \`npx tsx scripts/flink/record-flink.ts\`): ${(error as Error).message}`,
      );
    }
    cache.set(key, found);
  }
  return found;
}

/** A deep copy of a recorded body, to fill in. */
export function recordedBody<T = Json>(version: string, scenario: string, name: string): T {
  return structuredClone(recording(version, scenario, name).response.body) as T;
}

export type Json = Record<string, unknown>;

/** The first element of a recorded array, as the template of every element. */
export function element<T = Json>(array: unknown, what: string): T {
  if (!Array.isArray(array) || array.length === 0) {
    throw new Error(`flink-recordings: ${what} has no recorded element to copy`);
  }
  return structuredClone(array[0]) as T;
}
