/**
 * Reading Flink's own words out of stack traces and the JobManager log. Pure: no I/O.
 *
 * - A stack trace's root cause is its last `Caused by:` line (Flink wraps the real failure in
 *   "JobException: Recovery is suppressed by ...", "CheckpointException: Asynchronous task
 *   checkpoint failed.", ...).
 * - A failed checkpoint's cause is logged by the JobManager's CheckpointFailureManager:
 *     <time> WARN  org.apache.flink.runtime.checkpoint.CheckpointFailureManager [] - Failed to
 *       trigger or complete checkpoint 7 for job 5c1e.... (3 consecutive failed attempts so far)
 *     org.apache.flink.runtime.checkpoint.CheckpointException: Asynchronous task checkpoint failed.
 *         at ...
 *     Caused by: ...
 *     Caused by: java.nio.file.AccessDeniedException: s3://...: ... Status Code: 403 ...
 *   Flink REST gives only the first exception line ("Asynchronous task checkpoint failed.").
 */

const CAUSED_BY = /^\s*Caused by:\s*(.*)$/;

/** The last `Caused by:` of a stack trace, without the prefix; null when it has none. */
export function lastCausedBy(stacktrace: string): string | null {
  let last: string | null = null;
  for (const line of stacktrace.split(/\r?\n/)) {
    const m = CAUSED_BY.exec(line);
    if (m?.[1]) last = m[1].trim();
  }
  return last;
}

/** A checkpoint failure the JobManager logged, with its exception chain. */
export interface LoggedCheckpointFailure {
  /** null for Flink's UNKNOWN_CHECKPOINT_ID (a trigger that failed before an id was given). */
  readonly checkpointId: number | null;
  readonly jobId: string;
  /** The WARN line itself. */
  readonly header: string;
  /** The first exception line after it, e.g. "...CheckpointException: Asynchronous task checkpoint failed." */
  readonly exception: string | null;
  /** Every `Caused by:` line, outermost first, without the prefix. */
  readonly causes: readonly string[];
  /** The last `Caused by:` (else the exception line): what actually went wrong. */
  readonly rootCause: string | null;
}

const FAILURE_HEADER =
  /Failed to trigger or complete checkpoint (\d+|UNKNOWN_CHECKPOINT_ID) for job ([0-9a-f]{32})/;
/** The start of a new log record: a timestamp, or a level right at the start (log4j patterns). */
const RECORD_START =
  /^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}|\[?\d{2}:\d{2}:\d{2}|(INFO|WARN|ERROR|DEBUG|TRACE)\b)/;

/** Every CheckpointFailureManager warning in the lines (oldest first), each with its exception chain. */
export function checkpointFailuresInLog(lines: readonly string[]): LoggedCheckpointFailure[] {
  const out: LoggedCheckpointFailure[] = [];
  for (let i = 0; i < lines.length; i++) {
    const header = lines[i] ?? "";
    const m = FAILURE_HEADER.exec(header);
    if (!m) continue;
    let exception: string | null = null;
    const causes: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j] ?? "";
      if (RECORD_START.test(line.trimStart()) && !/^\s/.test(line)) break;
      const caused = CAUSED_BY.exec(line);
      if (caused?.[1]) causes.push(caused[1].trim());
      else if (exception === null && line.trim() !== "" && !/^\s*(at |\.\.\. \d+ more)/.test(line)) {
        exception = line.trim();
      }
    }
    out.push({
      checkpointId: m[1] === "UNKNOWN_CHECKPOINT_ID" ? null : Number(m[1]),
      jobId: m[2] ?? "",
      header: header.trim(),
      exception,
      causes,
      rootCause: causes.at(-1) ?? exception,
    });
    i = j - 1;
  }
  return out;
}

/** The lines of a logged failure that can say why (no stack frames), root cause first. */
export function failureChainText(f: LoggedCheckpointFailure): string {
  return [...(f.rootCause ? [f.rootCause] : []), ...[...f.causes].reverse(), f.exception ?? "", f.header]
    .filter((l) => l !== "")
    .join("\n");
}
