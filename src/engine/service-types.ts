/** What the incident service and the action desk share: their dependencies and their answers. */
import type { AppConfig } from "../config/schema.ts";
import type { Logger } from "../logger.ts";
import type { Ports } from "../ports/index.ts";
import type { Telemetry } from "../ports/telemetry.ts";
import type { DirectoryPort, ThreadPort } from "../ports/thread.ts";
import type { Store } from "../store/store.ts";

export interface IncidentServiceDeps {
  readonly config: AppConfig;
  readonly ports: Ports;
  readonly store: Store;
  readonly thread: ThreadPort;
  readonly directory: DirectoryPort;
  readonly logger: Logger;
  /** Identifies this process as executor (several replicas may share a store). */
  readonly instanceId?: string;
  /** The bot's metrics (default: none). */
  readonly telemetry?: Telemetry;
}

export interface AlertInput {
  readonly channel: string;
  /** The alert message; its thread is the incident's thread. */
  readonly messageTs: string;
  readonly alert: string;
  readonly runbookId: string;
  readonly state: "firing" | "resolved";
  readonly source: string;
}

/** The answer to a report request: the Markdown posted in the incident's thread, or why not. */
export type ReportOutcome =
  | { readonly ok: true; readonly message: string; readonly incidentId: string; readonly markdown: string }
  | { readonly ok: false; readonly message: string };

export type Outcome =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly message: string };

/** The answer to a slash command: `message` for the person, `channelLine` for the channel. */
export type CommandOutcome = Outcome & { readonly channelLine?: string };

/** Where a button was pressed (Slack sends the channel's id and name with every click). */
export interface ClickOrigin {
  readonly channelId: string;
  readonly channelName?: string;
}

/** Whether actions are preview-only, and why. */
export interface FreezeState {
  readonly frozen: boolean;
  /** The config's kill switch (actions.frozen). */
  readonly config: boolean;
  /** `/runbook freeze`, kept in the store: who and when. */
  readonly runtime?: { readonly by: string; readonly at: string };
}

/** How the desk runs background work and thread I/O: the incident service's, so idle() covers both. */
export interface DeskWork {
  track(work: Promise<unknown>): void;
  safe(fn: () => Promise<unknown>): Promise<void>;
}
