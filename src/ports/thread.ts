/** Where incidents are worked: a channel thread (Slack, or the terminal sandbox's emulator). */
import type { StepReport } from "../core/runbook.ts";
import type { ApprovalView, IncidentStatusView } from "../core/views.ts";

/**
 * Posts and updates may be queued (Slack's rate limits): their promise settles when Slack took the
 * message, or rejects when it will not. A rejection whose error has `kept: true` is not a loss: the
 * bot is stopping and the message is kept to be sent at the next start.
 */
export interface ThreadPort {
  /** Posts a top-level message that opens an on-demand incident; returns its ts. */
  postRoot(channel: string, view: IncidentStatusView): Promise<string>;
  /** Posts the status message in the thread; returns its ts. */
  postStatus(channel: string, threadTs: string, view: IncidentStatusView): Promise<string>;
  updateStatus(channel: string, ts: string, view: IncidentStatusView): Promise<void>;
  postStep(channel: string, threadTs: string, step: StepReport, view: IncidentStatusView): Promise<void>;
  postApproval(channel: string, threadTs: string, view: ApprovalView): Promise<string>;
  updateApproval(channel: string, ts: string, view: ApprovalView): Promise<void>;
  /** A one-line entry in the thread (who did what). */
  postNote(
    channel: string,
    threadTs: string,
    text: string,
    opts?: { rerunIncidentId?: string },
  ): Promise<void>;
  /** Uploads a text file (e.g. the post-incident report) into the thread. */
  postFile(channel: string, threadTs: string, file: ThreadFile): Promise<void>;
}

export interface ThreadFile {
  readonly filename: string;
  readonly title: string;
  readonly content: string;
}

/** Who may request and approve: configured users plus members of configured user groups. */
export interface DirectoryPort {
  usergroupMembers(usergroupIds: readonly string[]): Promise<string[]>;
}
