/**
 * Sends payloads to the app over the chosen transport (Socket Mode or signed HTTP), records every
 * delivery, keeps Events API deliveries in order, and can redeliver the last event with the same
 * `event_id` and retry markers (X-Slack-Retry-Num / retry_attempt).
 */
import type { EventEmitter } from "node:events";
import { deliverOverHttp } from "./http-delivery.ts";
import { type AppIdentity, eventCallback } from "./payloads.ts";
import type { SocketModeServer } from "./socket-mode-server.ts";
import type { DeliveryOptions, DeliveryResult, EnvelopeType, JsonObject } from "./types.ts";

export type Transport = { mode: "socket" } | { mode: "http"; requestUrl: string };

export interface RecordedDelivery extends DeliveryResult {
  payload: JsonObject;
  time: number;
}

export interface DeliveryRouterOptions {
  identity: AppIdentity;
  signingSecret: string;
  ackTimeoutMs: number;
  socketConnectTimeoutMs: number;
  socket: SocketModeServer;
  emitter: EventEmitter;
  transport: Transport;
}

export class DeliveryRouter {
  readonly deliveries: RecordedDelivery[] = [];
  transport: Transport;
  private eventQueue: Promise<unknown> = Promise.resolve();
  private readonly inFlight = new Set<Promise<unknown>>();
  private lastEvent: { payload: JsonObject; retryAttempt: number } | undefined;
  private eventCounter = 0;

  constructor(private readonly options: DeliveryRouterOptions) {
    this.transport = options.transport;
  }

  nextEventId(): string {
    this.eventCounter += 1;
    return `Ev${this.eventCounter.toString(36).toUpperCase().padStart(9, "0")}`;
  }

  async deliver(
    type: EnvelopeType,
    payload: JsonObject,
    options: DeliveryOptions = {},
  ): Promise<DeliveryResult> {
    const eventId = typeof payload.event_id === "string" ? payload.event_id : undefined;
    const work = (async () => {
      const t = this.transport;
      const result =
        t.mode === "http"
          ? await deliverOverHttp(
              {
                requestUrl: t.requestUrl,
                signingSecret: this.options.signingSecret,
                ackTimeoutMs: this.options.ackTimeoutMs,
              },
              type,
              payload,
              options,
              eventId,
            )
          : await this.options.socket.deliver(
              type,
              payload,
              options,
              eventId,
              this.options.ackTimeoutMs,
              this.options.socketConnectTimeoutMs,
            );
      const recorded: RecordedDelivery = { ...result, payload, time: Date.now() };
      this.deliveries.push(recorded);
      this.options.emitter.emit("delivery", recorded);
      return result;
    })();
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  /** Wraps `event` in an event_callback and delivers it after the events queued before it. */
  deliverEvent(event: JsonObject, options: DeliveryOptions = {}): Promise<DeliveryResult> {
    const payload = eventCallback(
      this.options.identity,
      event,
      this.nextEventId(),
      Math.floor(Date.now() / 1000),
    );
    this.lastEvent = { payload, retryAttempt: 0 };
    const next = this.eventQueue.then(() => this.deliver("events_api", payload, options));
    this.eventQueue = next.catch(() => undefined);
    return next;
  }

  /** Delivers the last event again: same payload and event_id, next retry number. */
  redeliverLastEvent(
    options: { reason?: string; signature?: DeliveryOptions["signature"] } = {},
  ): Promise<DeliveryResult> {
    const last = this.lastEvent;
    if (!last) return Promise.reject(new Error("no event has been delivered yet"));
    last.retryAttempt += 1;
    const deliveryOptions: DeliveryOptions = {
      retryAttempt: last.retryAttempt,
      retryReason: options.reason ?? (this.transport.mode === "http" ? "http_timeout" : "timeout"),
      ...(options.signature ? { signature: options.signature } : {}),
    };
    const next = this.eventQueue.then(() => this.deliver("events_api", last.payload, deliveryOptions));
    this.eventQueue = next.catch(() => undefined);
    return next;
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    await this.eventQueue;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
