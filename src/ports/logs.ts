/** CloudWatch Logs Insights, in our words: run one query over a time range and read its rows. */

export interface LogQueryRequest {
  /** One or more log groups, e.g. ecommerce-streaming. */
  readonly logGroups: readonly string[];
  /** The Logs Insights query text, exactly as a human would paste it into the console. */
  readonly query: string;
  /** The time range, start <= @timestamp <= end (Logs Insights works in whole seconds). */
  readonly start: Date;
  readonly end: Date;
  /** Most rows to return (the service caps at 10,000); without it the query's own `limit` or the service default (1,000). */
  readonly limit?: number;
  /** How long to wait for the query to finish before stopping it. Default: the adapter's. */
  readonly deadlineMs?: number;
  /** Aborting stops the query (StopQuery) and rejects. */
  readonly signal?: AbortSignal;
}

/** One result row: field name -> value, as Logs Insights returns them (strings). `@ptr` is left out. */
export type LogRow = Readonly<Record<string, string>>;

export interface LogQueryStatistics {
  readonly recordsMatched: number;
  readonly recordsScanned: number;
  readonly bytesScanned: number;
}

export interface LogQueryResult {
  readonly queryId: string;
  /**
   * `complete`: the query finished (status Complete) and `rows` is its full answer.
   * `stopped-at-deadline`: it was still running at the deadline, so it was stopped (StopQuery);
   * `rows` holds what had arrived so far (possibly nothing) and is not the full answer.
   */
  readonly outcome: "complete" | "stopped-at-deadline";
  readonly rows: readonly LogRow[];
  /** Undefined when the service did not report them. */
  readonly statistics?: LogQueryStatistics;
  readonly elapsedMs: number;
  /** For `stopped-at-deadline`: a sentence fit for a thread, e.g. why StopQuery failed as well. */
  readonly note?: string;
}

export interface LogsPort {
  readonly describeTarget: string;
  /**
   * Starts a Logs Insights query and waits for it. A query the service ends as Failed, Cancelled
   * or Timeout rejects with a typed error; one still running at the deadline is stopped and
   * resolves with outcome `stopped-at-deadline` and the partial rows.
   */
  query(request: LogQueryRequest): Promise<LogQueryResult>;
}
