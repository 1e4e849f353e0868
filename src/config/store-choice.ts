/**
 * Which store the bot uses, decided in one place: PostgreSQL when a database URL is set (in the
 * variable store.databaseUrlEnv names, RUNBOOK_BOT_DATABASE_URL by default), otherwise the SQLite
 * file at store.path. The URL carries a password: `where` is the masked form, for every output.
 */
import { maskUrl } from "../core/mask-url.ts";
import type { AppConfig } from "./schema.ts";

export type StoreChoice =
  | { readonly kind: "sqlite"; readonly path: string; readonly where: string }
  | { readonly kind: "postgres"; readonly url: string; readonly where: string };

export function storeChoice(config: AppConfig): StoreChoice {
  const url = config.secrets.databaseUrl;
  if (url !== undefined) return { kind: "postgres", url, where: maskUrl(url) };
  return { kind: "sqlite", path: config.store.path, where: config.store.path };
}

/** One line for check-config and the log: which store, and where (the URL masked). */
export function describeStoreChoice(choice: StoreChoice, config: AppConfig): string {
  return choice.kind === "postgres"
    ? `PostgreSQL at ${choice.where} (from ${config.store.databaseUrlEnv})`
    : `SQLite at ${choice.where} (store.path; set ${config.store.databaseUrlEnv} for PostgreSQL)`;
}
