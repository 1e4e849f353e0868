/** Reading a proposal's raw params while describing a form (they are not parsed yet). */
import type { JsonParams } from "../action.ts";

export function stringParam(params: JsonParams, key: string): string | undefined {
  const v = params[key];
  return typeof v === "string" && v !== "" ? v : undefined;
}

export function numberParam(params: JsonParams, key: string): number | undefined {
  const v = params[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** A nested string (`requests.memory`). */
export function nestedString(params: JsonParams, key: string, inner: string): string | undefined {
  const v = params[key];
  if (typeof v !== "object" || v === null) return undefined;
  const value = (v as Record<string, unknown>)[inner];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Runs a best-effort read for a form's intro; undefined when it fails (the form opens regardless). */
export async function bestEffort<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch {
    return undefined;
  }
}
