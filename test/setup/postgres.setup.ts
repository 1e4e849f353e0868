/** A real PostgreSQL server (Debian's package, a temp data dir, run as user postgres), once per run. */
import type { TestProject } from "vitest/node";
import { startPostgresPeer } from "../peers/postgres-peer.ts";
import { acquirePeer } from "./shared-peer.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { peer: postgres, release } = await acquirePeer("postgres", startPostgresPeer);
  project.provide("postgresUrl", postgres.url);
  return release;
}
