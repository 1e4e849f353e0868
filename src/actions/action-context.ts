/** What every action (and its form) is given: the ports to act through and the config. */
import type { AppConfig } from "../config/schema.ts";
import type { Ports } from "../ports/index.ts";

export interface ActionContext {
  readonly ports: Ports;
  readonly config: AppConfig;
}

export type JsonParams = { readonly [key: string]: unknown };
