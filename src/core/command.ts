/**
 * `/runbook ...` arguments, parsed purely: help, status, freeze [reason], unfreeze, report [incident-id],
 * or a runbook to run; anything else is a clear error.
 */
import { findRunbook, type RunbookMeta, runbookNames } from "./catalog.ts";

export type RunbookCommand =
  | { readonly kind: "help" }
  | { readonly kind: "status" }
  | { readonly kind: "run"; readonly runbook: RunbookMeta }
  /** Kill switch: every action becomes preview-only (authorised people only). */
  | { readonly kind: "freeze"; readonly reason?: string }
  | { readonly kind: "unfreeze" }
  /** The post-incident report: of `incidentId`, else of the channel's newest incident. */
  | { readonly kind: "report"; readonly incidentId?: string }
  | { readonly kind: "error"; readonly message: string; readonly suggestions: readonly string[] };

const MAX_ARG_LENGTH = 200;

/** An incident id as the store makes them: `inc-<random>`. */
const INCIDENT_ID = /^inc-[a-z0-9-]{1,64}$/i;

export function parseRunbookCommand(text: string | undefined): RunbookCommand {
  const words = (text ?? "").trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { kind: "help" };
  const [first, ...rest] = words as [string, ...string[]];
  const word = first.toLowerCase();
  if (word === "help" || word === "list") return { kind: "help" };
  if (word === "status") return { kind: "status" };
  if (word === "freeze") {
    const reason = sanitize(rest.join(" ")).trim();
    return reason === "" ? { kind: "freeze" } : { kind: "freeze", reason };
  }
  if (word === "unfreeze") {
    if (rest.length > 0) {
      return {
        kind: "error",
        message: `\`/runbook unfreeze\` takes no arguments; unexpected \`${sanitize(rest.join(" ")).slice(0, 80)}\`.`,
        suggestions: [],
      };
    }
    return { kind: "unfreeze" };
  }
  if (word === "report") {
    const [id, ...extra] = rest;
    if (id === undefined) return { kind: "report" };
    if (extra.length > 0 || !INCIDENT_ID.test(id)) {
      return {
        kind: "error",
        message: `\`/runbook report\` takes an optional incident id such as \`inc-1a2b3c4d\`; unexpected \`${sanitize(rest.join(" ")).slice(0, 80)}\`.`,
        suggestions: [],
      };
    }
    return { kind: "report", incidentId: id.toLowerCase() };
  }
  if (first.length > MAX_ARG_LENGTH) {
    return { kind: "error", message: "That is not a runbook name.", suggestions: [] };
  }
  const runbook = findRunbook(word);
  if (!runbook) {
    const suggestions = closestNames(word);
    return {
      kind: "error",
      message: `No runbook is called \`${sanitize(first)}\`.${suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `\`${s}\``).join(", ")}?` : ""} Type \`/runbook help\` for the list.`,
      suggestions,
    };
  }
  if (rest.length > 0) {
    return {
      kind: "error",
      message: `\`/runbook\` takes one runbook name; unexpected \`${sanitize(rest.join(" ")).slice(0, 80)}\`. Try \`/runbook ${runbook.aliases[0] ?? runbook.id}\`.`,
      suggestions: [runbook.id],
    };
  }
  return { kind: "run", runbook };
}

function sanitize(text: string): string {
  return text.replace(/[`<>&]/g, "").slice(0, MAX_ARG_LENGTH);
}

/** Up to three runbook names within a small edit distance, or sharing a prefix, closest first. */
export function closestNames(input: string, limit = 3): string[] {
  const key = input.toLowerCase();
  const scored = runbookNames().map((name) => {
    const d = editDistance(key, name);
    // A name the input begins is always a candidate, ranked by distance.
    const prefix = key.length >= 2 && name.startsWith(key);
    return { name, score: prefix ? d / 100 : d };
  });
  const maxDistance = Math.max(2, Math.floor(key.length / 3));
  const seen = new Set<string>();
  return scored
    .filter((s) => s.score <= maxDistance)
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .filter((s) => {
      // One suggestion per runbook: its closest name.
      const id = findRunbook(s.name)?.id ?? s.name;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    })
    .slice(0, limit)
    .map((s) => s.name);
}

export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}
