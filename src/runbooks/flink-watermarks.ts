/**
 * Flink's own watermarks per vertex (GET /jobs/:id/vertices/:vid/watermarks), read by the runbooks
 * that judge watermarks (window completeness, consumer lag), and what they mean.
 *
 * As the real Flink answers: a source vertex has no input watermark and answers `[]`; a vertex
 * that has not received a watermark yet reports Long.MIN_VALUE per subtask (parsed as null). A
 * subtask without a watermark never fires an event-time window: "no watermark at all" is not an
 * unknown lag, it is windows that never close.
 */
import { probe } from "../core/runbook.ts";
import { readEachVertex } from "./flink-vertices.ts";

export interface FlinkWatermarks {
  readonly jobId: string;
  readonly jobName: string;
  readonly at: Date;
  readonly vertices: readonly {
    readonly name: string;
    /** The lowest subtask watermark; null when a subtask has none (or the vertex reports none). */
    readonly min: Date | null;
    /** Subtasks Flink reported an input watermark for (0 for a source vertex). */
    readonly subtasks?: number;
    /** Of those, the ones still at Long.MIN_VALUE: no watermark yet. */
    readonly withoutWatermark?: number;
  }[];
}

/** Flink's own view: the lowest input watermark of every vertex. */
export const flinkWatermarksProbe = probe<FlinkWatermarks>({
  id: "flink-watermarks",
  title: "read Flink's watermarks per vertex",
  needs: ["flink"],
  async run(ctx) {
    const { job, vertices } = await readEachVertex(ctx, async (flink, jobId, v) => {
      const w = await flink.vertexWatermarks(jobId, v.id);
      return {
        name: v.name,
        min: w.min,
        subtasks: w.subtasks.length,
        withoutWatermark: w.subtasks.filter((s) => s.watermark === null).length,
      };
    });
    return { jobId: job.id, jobName: job.name, at: ctx.ports.clock.now(), vertices };
  },
});

/** How far the lowest Flink watermark trails (over vertices that have one), in ms. */
export function flinkWatermarkLag(w: FlinkWatermarks): number | undefined {
  const mins = w.vertices.map((v) => v.min?.getTime()).filter((t): t is number => t !== undefined);
  return mins.length === 0 ? undefined : Math.max(0, w.at.getTime() - Math.min(...mins));
}

export interface MissingWatermarks {
  /** true when no vertex has any watermark at all (every reporting subtask at Long.MIN_VALUE). */
  readonly none: boolean;
  /** Vertices with at least one subtask without a watermark, e.g. "Window(...) (4 of 4 subtasks)". */
  readonly vertices: readonly string[];
}

/** Vertices whose subtasks have no watermark (their event-time windows never fire); undefined when all have one. */
export function missingWatermarks(w: FlinkWatermarks): MissingWatermarks | undefined {
  const reporting = w.vertices.filter((v) => (v.subtasks ?? 0) > 0);
  const missing = reporting.filter((v) => (v.withoutWatermark ?? 0) > 0);
  if (missing.length === 0) return undefined;
  return {
    none: reporting.every((v) => v.withoutWatermark === v.subtasks),
    vertices: missing.map((v) => `${v.name} (${v.withoutWatermark} of ${v.subtasks} subtasks)`),
  };
}

/** One sentence: what a missing watermark means. */
export function missingWatermarkText(m: MissingWatermarks): string {
  return m.none
    ? `no watermark at all: every subtask of ${m.vertices.join(", ")} reports Long.MIN_VALUE, so no event-time window ever fires`
    : `subtasks without a watermark (Long.MIN_VALUE) in ${m.vertices.join(", ")}: their event-time windows never fire (an idle source split holds them back)`;
}
