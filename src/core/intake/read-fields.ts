/** Defensive readers for untyped Slack payloads (no schema is published for app messages). */

export type Obj = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function readString(obj: Obj, key: string): string | undefined {
  const value = obj[key];
  return typeof value === "string" ? value : undefined;
}

export function readObject(obj: Obj, key: string): Obj | undefined {
  const value = obj[key];
  return isObject(value) ? value : undefined;
}

/** The array under `key`, or an empty one. */
export function readArray(obj: Obj, key: string): readonly unknown[] {
  const value = obj[key];
  return Array.isArray(value) ? value : [];
}
