/**
 * Global setup that starts only the moto server (no Kafka broker), for running the AWS adapter
 * integration tests on their own: `npx vitest run -c test/integration/moto-only.vitest.config.ts`.
 */
import type { TestProject } from "vitest/node";
import { startMotoPeer } from "../peers/moto-peer.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMotoPeer();
  project.provide("motoEndpoint", moto.endpoint);
  return () => moto.stop();
}
