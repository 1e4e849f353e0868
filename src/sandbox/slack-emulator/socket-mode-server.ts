/**
 * Socket Mode, the server side: the WebSocket URL that `apps.connections.open` hands out (one
 * ticket per URL), `hello` on connect, envelopes out, acks `{envelope_id, payload}` back (timed),
 * pings, and `disconnect` messages on request.
 *
 * An app may hold several connections at once (several processes or replicas of one app): like
 * Slack, each envelope goes to exactly one of them, here in turn over the open connections that
 * were not asked to disconnect. The delivery records which connection got it.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import type { DeliveryOptions, DeliveryResult, EnvelopeType, JsonObject } from "./types.ts";

export interface SocketModeServerOptions {
  appId: string;
  /** Server pings keep the client's serverPingTimeout (30 s) satisfied; 0 disables them. */
  pingIntervalMs: number;
}

interface PendingAck {
  resolve: (ack: { payload: unknown; ackMs: number } | undefined) => void;
  started: number;
}

export interface SocketConnection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  /** Set once a disconnect was sent: Slack sends nothing more on such a connection. */
  draining: boolean;
}

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly connections: SocketConnection[] = [];
  private readonly pending = new Map<string, PendingAck>();
  private readonly connectionWaiters: Array<() => void> = [];
  /** Round-robin position over the open connections. */
  private turn = 0;
  /** Every message the app sent over the socket (acks), for assertions. */
  readonly received: Array<{ time: number; message: unknown }> = [];

  constructor(private readonly options: SocketModeServerOptions) {}

  issueTicket(): string {
    const ticket = randomUUID();
    this.tickets.add(ticket);
    return ticket;
  }

  get connectionCount(): number {
    return this.connections.length;
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const ticket = url.searchParams.get("ticket") ?? "";
    if (!this.tickets.delete(ticket)) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const connection: SocketConnection = {
      id: randomUUID(),
      socket: ws,
      connectedAt: Date.now(),
      draining: false,
    };
    this.connections.push(connection);
    const ping =
      this.options.pingIntervalMs > 0
        ? setInterval(() => {
            if (ws.readyState === ws.OPEN) ws.ping(Buffer.from(`ping-${Date.now()}`));
          }, this.options.pingIntervalMs)
        : undefined;
    ping?.unref();
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      let message: unknown;
      try {
        message = JSON.parse(text);
      } catch {
        return;
      }
      this.received.push({ time: Date.now(), message });
      if (typeof message !== "object" || message === null) return;
      const envelopeId = (message as JsonObject).envelope_id;
      if (typeof envelopeId !== "string") return;
      const waiter = this.pending.get(envelopeId);
      if (!waiter) return;
      this.pending.delete(envelopeId);
      waiter.resolve({ payload: (message as JsonObject).payload, ackMs: performance.now() - waiter.started });
    });
    ws.on("close", () => {
      clearInterval(ping);
      const index = this.connections.indexOf(connection);
      if (index >= 0) this.connections.splice(index, 1);
    });
    ws.on("error", () => {
      /* a dropped client is a normal event */
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.connections.length,
        debug_info: {
          host: "applink-emulator-1",
          build_number: 1,
          approximate_connection_time: 18060,
        },
        connection_info: { app_id: this.options.appId },
      }),
    );
    for (const waiter of this.connectionWaiters.splice(0)) waiter();
  }

  /** Resolves once exactly `count` connections are open (e.g. 0 after the app stopped). */
  async waitForConnections(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.connections.length !== count) {
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} Socket Mode connections, have ${this.connections.length}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Ids of the open connections, oldest first. */
  get connectionIds(): string[] {
    return this.connections.map((c) => c.id);
  }

  /**
   * The connection for the next envelope: the open ones that were not asked to disconnect take
   * turns. Waits up to `timeoutMs` for the app to (re)connect.
   */
  private async openConnection(timeoutMs: number): Promise<SocketConnection | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const open = this.connections.filter((c) => !c.draining && c.socket.readyState === c.socket.OPEN);
      if (open.length > 0) {
        const chosen = open[this.turn % open.length];
        this.turn += 1;
        return chosen;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(remaining, 250));
        this.connectionWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async deliver(
    type: EnvelopeType,
    payload: JsonObject,
    options: DeliveryOptions,
    eventId: string | undefined,
    ackTimeoutMs: number,
    connectTimeoutMs: number,
  ): Promise<DeliveryResult> {
    const envelopeId = randomUUID();
    const retryAttempt = options.retryAttempt ?? 0;
    const retryReason = options.retryReason ?? "";
    const base = {
      transport: "socket" as const,
      type,
      deliveryId: envelopeId,
      retryAttempt,
      retryReason,
      ...(eventId !== undefined ? { eventId } : {}),
    };
    const connection = await this.openConnection(connectTimeoutMs);
    if (!connection) return { ...base, acked: false, error: "no_socket_mode_connection" };
    const sentOn = { connectionId: connection.id };
    const envelope = {
      envelope_id: envelopeId,
      payload,
      type,
      accepts_response_payload: acceptsResponsePayload(type, payload),
      ...(type === "events_api" ? { retry_attempt: retryAttempt, retry_reason: retryReason } : {}),
    };
    const ack = new Promise<{ payload: unknown; ackMs: number } | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        resolve(undefined);
      }, ackTimeoutMs);
      this.pending.set(envelopeId, {
        started: performance.now(),
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
      });
    });
    connection.socket.send(JSON.stringify(envelope));
    const result = await ack;
    if (!result) return { ...base, ...sentOn, acked: false, error: "ack_timeout" };
    const hasPayload =
      result.payload !== undefined &&
      !(
        typeof result.payload === "object" &&
        result.payload !== null &&
        Object.keys(result.payload).length === 0
      );
    return {
      ...base,
      ...sentOn,
      acked: true,
      ackMs: result.ackMs,
      ...(hasPayload ? { responsePayload: result.payload } : {}),
    };
  }

  /** Sends `{"type":"disconnect","reason":...}` to every connection (the client then reconnects). */
  sendDisconnect(reason: "refresh_requested" | "warning" | "link_disabled" = "refresh_requested"): number {
    const open = this.connections.filter((c) => c.socket.readyState === c.socket.OPEN);
    for (const c of open) {
      c.draining = true;
      c.socket.send(
        JSON.stringify({ type: "disconnect", reason, debug_info: { host: "applink-emulator-1" } }),
      );
    }
    return open.length;
  }

  async close(): Promise<void> {
    for (const c of this.connections.splice(0)) c.socket.terminate();
    for (const waiter of this.pending.values()) waiter.resolve(undefined);
    this.pending.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

/** Slack lets the ack carry a response for commands, view submissions and option requests. */
function acceptsResponsePayload(type: EnvelopeType, payload: JsonObject): boolean {
  if (type === "slash_commands") return true;
  if (type === "interactive") {
    return payload.type === "view_submission" || payload.type === "block_suggestion";
  }
  return false;
}
