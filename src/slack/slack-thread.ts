/** The ThreadPort over Slack's Web API: renders neutral views to Block Kit and posts them. */
import type { ChatPostMessageArguments, ChatUpdateArguments, WebClient } from "@slack/web-api";
import { chartsForStep, MAX_CHARTS_PER_STEP } from "../core/chart/index.ts";
import type { StepReport } from "../core/runbook.ts";
import type { ApprovalView, IncidentStatusView } from "../core/views.ts";
import type { DirectoryPort, ThreadFile, ThreadPort } from "../ports/thread.ts";
import { MemoryOutboxLedger, type OutboxCall } from "../store/outbox-ledger.ts";
import { conclusionWithAvailableProposals, stepWithAvailableProposals } from "./available-proposals.ts";
import { Outbox, systemOutboxTimer } from "./outbox/index.ts";
import {
  enforceBlockKitLimits,
  RERUN_ACTION_ID,
  type RenderedMessage,
  renderApproval,
  renderStatusMessage,
  renderStepMessage,
  type StatusView,
  type TraitsOf,
} from "./render/index.ts";

export interface SlackThreadOptions {
  readonly client: WebClient;
  /**
   * Tiers and forms of the proposed actions: the confirm dialogs and "Choose…" buttons (default:
   * the registry's declared tiers; the bot passes the config's `approvals.riskTiers`).
   */
  readonly traits?: TraitsOf;
  /**
   * Called when a step's chart could not be uploaded (no files:write scope, an API error). The
   * step itself is posted regardless: its message carries the sparkline as the text fallback.
   */
  readonly onUploadError?: (
    error: unknown,
    file: { readonly filename: string; readonly title: string },
  ) => void;
  /** Charts attached per step (default 2; 0 turns charts off). */
  readonly maxChartsPerStep?: number;
  /**
   * Where thread posts and status updates queue (rate limits, retries, the ledger). Default: an
   * outbox over `client` with Slack's limits and a ledger in memory.
   */
  readonly outbox?: Outbox;
}

/** Sends an outbox call with `client` (chat.postMessage or chat.update). */
export function sendWith(client: WebClient) {
  return async (call: OutboxCall): Promise<{ ts?: string }> => {
    const res =
      call.method === "chat.update"
        ? await client.chat.update(call.args as unknown as ChatUpdateArguments)
        : await client.chat.postMessage(call.args as unknown as ChatPostMessageArguments);
    return typeof res.ts === "string" ? { ts: res.ts } : {};
  };
}

export function toStatusView(view: IncidentStatusView): StatusView {
  const state: StatusView["state"] =
    view.phase === "resolved" ? "resolved" : view.phase === "running" ? "running" : "firing";
  return {
    incidentId: view.incidentId,
    runbook: view.runbook,
    alert: view.alert,
    state,
    startedAt: view.startedAt,
    ...(view.resolvedAt ? { resolvedAt: view.resolvedAt } : {}),
    fireCount: view.fireCount,
    ...(view.lastFiredAt ? { lastFiredAt: view.lastFiredAt } : {}),
    progress: {
      done: view.progress.done,
      total: view.progress.total,
      ...(view.progress.current ? { current: view.progress.current } : {}),
      ...(view.runDurationMs !== undefined && view.phase !== "running"
        ? { durationMs: view.runDurationMs }
        : {}),
    },
    ...(view.conclusion ? { conclusion: view.conclusion } : {}),
    ...(view.source ? { source: view.source } : {}),
  };
}

/** Slack's error code in a Web API platform error (`{data: {error}}`), if any. */
function platformErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === "string" ? data.error : undefined;
}

export class SlackThread implements ThreadPort {
  /** Set once Slack answers missing_scope: the token cannot upload, so later steps do not try. */
  private uploadsRefused = false;

  private readonly outbox: Outbox;
  /** The last step of each thread on its way (channel:threadTs). */
  private readonly stepChains = new Map<string, Promise<void>>();

  constructor(private readonly options: SlackThreadOptions) {
    this.outbox =
      options.outbox ??
      new Outbox({
        send: sendWith(options.client),
        ledger: new MemoryOutboxLedger(),
        timer: systemOutboxTimer,
      });
  }

  /** A chat.postMessage through the outbox; the ts Slack gave it. */
  private async post(
    args: OutboxCall["args"],
    opts: { durable: boolean; urgent?: boolean },
  ): Promise<string> {
    const res = await this.outbox.post({ method: "chat.postMessage", args }, opts);
    return res.ts ?? "";
  }

  private status(view: IncidentStatusView): RenderedMessage {
    const available = view.conclusion ? conclusionWithAvailableProposals(view.conclusion) : undefined;
    const rendered = renderStatusMessage(
      toStatusView(available ? { ...view, conclusion: available.conclusion } : view),
      this.options.traits ? { traits: this.options.traits } : {},
    );
    const notes: string[] = [];
    if (available && available.manual.length > 0) {
      notes.push(`Fix to run by hand (no button for it yet): ${available.manual.join("; ")}`);
    }
    if (view.undeliveredSteps && view.undeliveredSteps.length > 0) {
      notes.push(
        `:warning: Slack did not take ${view.undeliveredSteps.length === 1 ? "this step's message" : "these steps' messages"}: ${view.undeliveredSteps.join("; ")}. Re-run the diagnostics to see ${view.undeliveredSteps.length === 1 ? "it" : "them"}.`,
      );
    }
    if (view.requestedBy)
      notes.push(`Requested by <@${view.requestedBy}> with \`/runbook ${view.runbook.id}\`.`);
    const extra = notes.map((text) => ({
      type: "context" as const,
      elements: [{ type: "mrkdwn" as const, text }],
    }));
    return { ...rendered, blocks: enforceBlockKitLimits([...rendered.blocks, ...extra]) };
  }

  async postRoot(channel: string, view: IncidentStatusView): Promise<string> {
    const m = this.status(view);
    return this.post({ channel, text: m.text, blocks: m.blocks }, { durable: false, urgent: true });
  }

  async postStatus(channel: string, threadTs: string, view: IncidentStatusView): Promise<string> {
    const m = this.status(view);
    return this.post(
      { channel, thread_ts: threadTs, text: m.text, blocks: m.blocks },
      { durable: false, urgent: true },
    );
  }

  async updateStatus(channel: string, ts: string, view: IncidentStatusView): Promise<void> {
    const m = this.status(view);
    await this.outbox.update({
      method: "chat.update",
      args: { channel, ts, text: m.text, blocks: m.blocks },
    });
  }

  async postStep(
    channel: string,
    threadTs: string,
    step: StepReport,
    view: IncidentStatusView,
  ): Promise<void> {
    const m = renderStepMessage(stepWithAvailableProposals(step), {
      runbookTitle: view.runbook.title,
      incidentId: view.incidentId,
      runbookId: view.runbook.id,
      ...(this.options.traits ? { traits: this.options.traits } : {}),
    });
    // A thread's steps go out in order, each with its charts right under it: a step waits for the
    // one before it in the same thread (not for other threads, nor for status updates).
    const key = `${channel}:${threadTs}`;
    const previous = this.stepChains.get(key) ?? Promise.resolve();
    const mine = previous.then(async () => {
      await this.post({ channel, thread_ts: threadTs, text: m.text, blocks: m.blocks }, { durable: true });
      await this.attachCharts(channel, threadTs, step);
    });
    const settled = mine.catch(() => undefined);
    this.stepChains.set(key, settled);
    try {
      await mine;
    } finally {
      if (this.stepChains.get(key) === settled) this.stepChains.delete(key);
    }
  }

  /**
   * The step's metric series as PNG charts in the thread, one upload at a time, after the step
   * message (so a chart sits right under its step); never throws.
   */
  private async attachCharts(channel: string, threadTs: string, step: StepReport): Promise<void> {
    if (this.uploadsRefused) return;
    let charts: ReturnType<typeof chartsForStep>;
    try {
      charts = chartsForStep(step, this.options.maxChartsPerStep ?? MAX_CHARTS_PER_STEP);
    } catch (error) {
      this.options.onUploadError?.(error, { filename: "", title: step.title });
      return;
    }
    for (const chart of charts) {
      try {
        await this.options.client.files.uploadV2({
          channel_id: channel,
          thread_ts: threadTs,
          file: chart.png,
          filename: chart.filename,
          title: chart.title,
          alt_text: chart.altText,
        });
      } catch (error) {
        this.options.onUploadError?.(error, { filename: chart.filename, title: chart.title });
        if (platformErrorCode(error) === "missing_scope") {
          this.uploadsRefused = true;
          return;
        }
      }
    }
  }

  async postApproval(channel: string, threadTs: string, view: ApprovalView): Promise<string> {
    const m = renderApproval(view);
    return this.post(
      { channel, thread_ts: threadTs, text: m.text, blocks: m.blocks },
      { durable: false, urgent: true },
    );
  }

  async updateApproval(channel: string, ts: string, view: ApprovalView): Promise<void> {
    const m = renderApproval(view);
    await this.outbox.update({
      method: "chat.update",
      args: { channel, ts, text: m.text, blocks: m.blocks },
    });
  }

  async postNote(
    channel: string,
    threadTs: string,
    text: string,
    opts: { rerunIncidentId?: string } = {},
  ): Promise<void> {
    const blocks: unknown[] = [{ type: "section", text: { type: "mrkdwn", text } }];
    if (opts.rerunIncidentId) {
      blocks.push({
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: RERUN_ACTION_ID,
            text: { type: "plain_text", text: "Re-run diagnostics" },
            value: opts.rerunIncidentId,
          },
        ],
      });
    }
    await this.post({ channel, thread_ts: threadTs, text, blocks }, { durable: true });
  }

  /** A text file in the thread (files.uploadV2, as the charts); errors reach the caller. */
  async postFile(channel: string, threadTs: string, file: ThreadFile): Promise<void> {
    await this.options.client.files.uploadV2({
      channel_id: channel,
      thread_ts: threadTs,
      file: Buffer.from(file.content, "utf8"),
      filename: file.filename,
      title: file.title,
    });
  }
}

export class SlackDirectory implements DirectoryPort {
  constructor(private readonly client: WebClient) {}

  async usergroupMembers(usergroupIds: readonly string[]): Promise<string[]> {
    const all = await Promise.all(
      usergroupIds.map((usergroup) => this.client.usergroups.users.list({ usergroup })),
    );
    return all.flatMap((r) => r.users ?? []);
  }
}
