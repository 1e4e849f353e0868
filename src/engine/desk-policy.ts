/**
 * Who may ask for and approve fixes, under which risk tier, and where buttons count: the configured
 * users plus the members of the configured Slack user groups (resolved through the directory and
 * cached for a minute), each action's tier, and the channel allow-list.
 */
import { findAction } from "../actions/registry.ts";
import {
  type Approvers,
  canRequestTier,
  isAllowedChannel,
  type RiskTier,
  riskTierOf,
} from "../core/approval.ts";
import type { ClickOrigin, IncidentServiceDeps } from "./service-types.ts";

const USERGROUP_CACHE_MS = 60_000;

export class DeskPolicy {
  private usergroupCache: { at: number; members: string[] } | undefined;

  constructor(private readonly deps: IncidentServiceDeps) {}

  async approvers(): Promise<Approvers> {
    const { users, usergroups } = this.deps.config.approvals;
    if (usergroups.length === 0) return { users, usergroupMembers: [] };
    const cached = this.usergroupCache;
    const now = this.deps.ports.clock.now().getTime();
    if (cached && now - cached.at < USERGROUP_CACHE_MS) return { users, usergroupMembers: cached.members };
    try {
      const members = await this.deps.directory.usergroupMembers(usergroups);
      this.usergroupCache = { at: now, members };
      return { users, usergroupMembers: members };
    } catch (error) {
      this.deps.logger.warn({ err: error }, "could not resolve user groups; using configured users only");
      return { users, usergroupMembers: cached?.members ?? [] };
    }
  }

  /** The risk tier an action runs under: `approvals.riskTiers`, else its declared risk, else high. */
  tierOf(actionId: string): RiskTier {
    return riskTierOf(actionId, findAction(actionId)?.risk, this.deps.config.approvals.riskTiers);
  }

  /** The tier `userId` would request `actionId` under, and why they may not (undefined: they may). */
  async requestRefusal(actionId: string, userId: string): Promise<{ tier: RiskTier; refusal?: string }> {
    const tier = this.tierOf(actionId);
    const policy = canRequestTier({
      requesterId: userId,
      approvers: await this.approvers(),
      allowSelfApproval: this.deps.config.approvals.allowSelfApproval,
      tier,
    });
    return policy.ok ? { tier } : { tier, refusal: policy.reason };
  }

  /** Channels where buttons are honoured: `approvals.channels`, else the incident channels. */
  private allowedChannels(): readonly string[] {
    const { approvals, slack } = this.deps.config;
    return approvals.channels ?? slack.incidentChannels;
  }

  /** The refusal for a button pressed in `origin`, when that channel is not on the allow-list. */
  channelRefusal(origin: ClickOrigin | undefined): string | undefined {
    if (origin === undefined) return undefined;
    const allowed = isAllowedChannel(this.allowedChannels(), {
      id: origin.channelId,
      name: origin.channelName,
    });
    return allowed ? undefined : "buttons are not honoured in this channel (see approvals.channels)";
  }
}
