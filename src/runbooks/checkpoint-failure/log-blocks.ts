/** Log excerpts as the checkpoint-failure steps show them. */
import type { EvidenceBlock } from "../../core/finding.ts";
import type { PodLog } from "../../ports/kubernetes.ts";

export const MAX_LOG_LINES = 12;

export function logBlock(logs: readonly PodLog[]): EvidenceBlock | undefined {
  const lines = logs.flatMap((l) => l.lines.map((line) => `${l.pod}: ${line}`));
  if (lines.length === 0) return undefined;
  return { kind: "log", lines: lines.slice(-MAX_LOG_LINES) };
}

export function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}
