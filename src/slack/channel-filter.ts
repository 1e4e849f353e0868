/**
 * Which channels are incident channels. The config may name them by id (C0123) or by name
 * (incidents, #incidents); names are resolved with conversations.info and cached.
 */
import type { WebClient } from "@slack/web-api";

const ID = /^[CGD][A-Z0-9]{2,}$/;

export class ChannelFilter {
  private readonly ids = new Set<string>();
  private readonly names = new Set<string>();
  private readonly resolved = new Map<string, string | undefined>();

  constructor(
    entries: readonly string[],
    private readonly client: WebClient,
  ) {
    for (const e of entries) {
      const v = e.trim().replace(/^#/, "");
      if (ID.test(v)) this.ids.add(v);
      else this.names.add(v.toLowerCase());
    }
  }

  async isIncidentChannel(channelId: string): Promise<boolean> {
    if (this.ids.has(channelId)) return true;
    if (this.names.size === 0) return false;
    const name = await this.nameOf(channelId);
    return name !== undefined && this.names.has(name.toLowerCase());
  }

  private async nameOf(channelId: string): Promise<string | undefined> {
    if (this.resolved.has(channelId)) return this.resolved.get(channelId);
    try {
      const info = await this.client.conversations.info({ channel: channelId });
      const name = info.channel?.name;
      this.resolved.set(channelId, name);
      return name;
    } catch {
      // Not cached: a transient failure should not hide the channel for good.
      return undefined;
    }
  }
}
