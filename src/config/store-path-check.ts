/**
 * Whether the SQLite store can be written where `store.path` says: an existing file must be a
 * writable file in a writable directory (SQLite writes its journal next to it); a missing one needs
 * a directory that exists and is writable, or can be created. Problems name the path.
 */
import { accessSync, constants, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

export function storePathProblems(path: string, cwd: string = process.cwd()): string[] {
  if (path === ":memory:" || path === "") return [];
  const full = resolve(cwd, path);
  const here = `store.path: ${path}`;
  const file = statOf(full);
  if (file === "other") return [`${here} cannot be examined (${code(full)})`];
  if (file === "directory") return [`${here} is a directory, not a database file`];
  if (file === "file") {
    if (!writable(full)) return [`${here} is not writable (${code(full, constants.W_OK)})`];
    const dir = dirname(full);
    return writable(dir)
      ? []
      : [`${here}: its directory ${dir} is not writable (SQLite writes its journal there)`];
  }
  // Missing: the nearest existing ancestor must be a writable directory.
  let ancestor = dirname(full);
  while (statOf(ancestor) === "missing" && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  const kind = statOf(ancestor);
  if (kind !== "directory") {
    return [`${here}: cannot create the directory ${dirname(full)} (${ancestor} is not a directory)`];
  }
  if (!writable(ancestor)) {
    return [
      `${here}: cannot create ${ancestor === dirname(full) ? "the file" : `the directory ${dirname(full)}`} (${ancestor} is not writable)`,
    ];
  }
  return [];
}

function statOf(path: string): "file" | "directory" | "missing" | "other" {
  try {
    const s = statSync(path);
    return s.isDirectory() ? "directory" : s.isFile() ? "file" : "other";
  } catch (error) {
    const c = (error as NodeJS.ErrnoException).code;
    return c === "ENOENT" ? "missing" : c === "ENOTDIR" ? "missing" : "other";
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function code(path: string, mode: number = constants.F_OK): string {
  try {
    accessSync(path, mode);
    return "not a regular file";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}
