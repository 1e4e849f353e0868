/**
 * Golden files under test/golden. `UPDATE_GOLDEN=1 npx vitest run ...` (re)writes them;
 * otherwise the rendered output must match. JSON goldens are compared as parsed values (so
 * Biome may format them); text goldens byte for byte.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

const GOLDEN_DIR = fileURLToPath(new URL("../../golden/", import.meta.url));
const updating = process.env.UPDATE_GOLDEN === "1";

function goldenPath(name: string): string {
  return `${GOLDEN_DIR}${name}`;
}

function readGolden(path: string): string {
  if (!existsSync(path)) {
    throw new Error(`golden file ${path} is missing; run with UPDATE_GOLDEN=1 to write it`);
  }
  return readFileSync(path, "utf8");
}

function write(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

export function expectGoldenJson(name: string, value: unknown): void {
  const path = goldenPath(`${name}.golden.json`);
  const normalized: unknown = JSON.parse(JSON.stringify(value));
  if (updating) {
    write(path, `${JSON.stringify(normalized, null, 2)}\n`);
    return;
  }
  expect(normalized, `golden ${name}.golden.json`).toStrictEqual(JSON.parse(readGolden(path)));
}

export function expectGoldenText(name: string, text: string): void {
  const path = goldenPath(`${name}.golden.txt`);
  if (updating) {
    write(path, text);
    return;
  }
  expect(text, `golden ${name}.golden.txt`).toBe(readGolden(path));
}
