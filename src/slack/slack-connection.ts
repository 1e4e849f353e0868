/**
 * Whether the bot is connected to Slack now, for /readyz: in Socket Mode, the state of the
 * SocketModeClient's connection as it reports it (connected on `hello`, not after a close, while
 * reconnecting or disconnecting); in HTTP mode, the receiver listening since `app.start()`.
 */
import type { EventEmitter } from "node:events";
import type { App } from "@slack/bolt";

export interface SlackConnectionState {
  readonly connected: boolean;
  readonly detail: string;
}

const DOWN: Readonly<Record<string, string>> = {
  close: "the Socket Mode connection closed",
  reconnecting: "reconnecting to Slack (Socket Mode)",
  connecting: "connecting to Slack (Socket Mode)",
  disconnecting: "disconnecting from Slack",
  disconnected: "disconnected from Slack",
};

/** Call after `app.start()` resolved (connected then); returns the live state. */
export function watchSlackConnection(app: App, mode: "socket" | "http"): () => SlackConnectionState {
  if (mode === "http") return () => ({ connected: true, detail: "HTTP receiver listening" });
  let state: SlackConnectionState = { connected: true, detail: "Socket Mode connection open" };
  // Bolt keeps its receiver private; its SocketModeClient is the EventEmitter that tells the state.
  const client = (app as unknown as { receiver?: { client?: EventEmitter } }).receiver?.client;
  if (!client) return () => ({ connected: false, detail: "no Socket Mode client" });
  client.on("connected", () => {
    state = { connected: true, detail: "Socket Mode connection open" };
  });
  for (const [event, detail] of Object.entries(DOWN)) {
    client.on(event, () => {
      state = { connected: false, detail };
    });
  }
  return () => state;
}
