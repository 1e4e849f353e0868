/**
 * Global setup that starts only the PostgreSQL server, for running the PostgreSQL store's tests on
 * their own: `npx vitest run -c test/peers/postgres-only.vitest.config.ts`.
 */
import type { TestProject } from "vitest/node";
import { startPostgresPeer } from "../peers/postgres-peer.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await startPostgresPeer();
  project.provide("postgresUrl", postgres.url);
  return () => postgres.stop();
}
