/**
 * The one masking helper for URLs that reach output (check-config, logs, messages): the password
 * of `user:password@` becomes `user:***@` (a lone `token@` becomes `***@`), and query parameters
 * whose name looks like a secret (token, password, secret, key, signature, credential, auth) get
 * `***` for a value. Text-based, so a URL keeps its form, a URL that does not parse is masked too,
 * and URLs inside a longer text (an error message) are found. Linear time: no backtracking pattern.
 */

/** Where an authority ends (RFC 3986 and the WHATWG parser; quotes and brackets end it in prose). */
const AUTHORITY_END = new Set(["/", "?", "#", "\\", " ", "\t", "\n", "\r", '"', "'", "<", ">", "`"]);
/** A parameter `name=value` after ?, &, ; or #; the classes exclude the separators: linear. */
const PARAM = /([?&;#])([^=&;#\s"'<>?]*)=([^&;#\s"'<>]*)/g;
const SECRET_NAME = /token|passw|pwd|secret|key|sig|credential|auth/i;

/** Masks one URL (or any text holding URLs): credentials in the authority and secret query values. */
export function maskUrl(text: string): string {
  return maskParams(maskUserinfo(text));
}

function maskUserinfo(text: string): string {
  let out = "";
  let from = 0;
  for (let at = text.indexOf("://"); at >= 0; at = text.indexOf("://", at + 3)) {
    const start = at + 3;
    if (start < from) continue;
    let end = start;
    while (end < text.length && !AUTHORITY_END.has(text[end] ?? "")) end += 1;
    const inAuthority = text.slice(start, end).lastIndexOf("@");
    if (inAuthority < 0) continue;
    const atSign = start + inAuthority;
    const userinfo = text.slice(start, atSign);
    const colon = userinfo.indexOf(":");
    out += text.slice(from, start) + (colon < 0 ? "***" : `${userinfo.slice(0, colon)}:***`);
    from = atSign;
  }
  return out + text.slice(from);
}

function maskParams(text: string): string {
  if (!/[?&;#]/.test(text)) return text;
  return text.replace(PARAM, (all, sep: string, name: string, value: string) =>
    value !== "" && SECRET_NAME.test(name) ? `${sep}${name}=***` : all,
  );
}

/**
 * Every string in a JSON-like value passed through maskUrl (a whole config, a log line's fields).
 * Plain objects and arrays are copied; an Error becomes a copy with its message, stack and cause masked;
 * other objects (dates, buffers) are kept; a cycle is cut.
 */
export function maskUrlsDeep(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === "string") return maskUrl(value);
  if (typeof value !== "object" || value === null) return value;
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => maskUrlsDeep(v, seen));
  if (value instanceof Error) {
    // Same prototype: the log still says which error class it was (StoreUnavailableError, ...).
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Error;
    Object.defineProperty(copy, "message", {
      value: maskUrl(value.message),
      writable: true,
      configurable: true,
    });
    if (copy.name !== value.name) copy.name = value.name;
    if (value.stack !== undefined) copy.stack = maskUrl(value.stack);
    for (const [k, v] of Object.entries(value))
      (copy as unknown as Record<string, unknown>)[k] = maskUrlsDeep(v, seen);
    // The cause is not enumerable (new Error(msg, { cause })): kept, masked, for the cause chain.
    if ("cause" in value && !Object.hasOwn(copy, "cause"))
      Object.defineProperty(copy, "cause", {
        value: maskUrlsDeep(value.cause, seen),
        enumerable: false,
        writable: true,
        configurable: true,
      });
    return copy;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskUrlsDeep(v, seen)]));
}
