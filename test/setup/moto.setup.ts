/** The moto server (the AWS emulator, from PyPI), once per run. */
import type { TestProject } from "vitest/node";
import { startMotoPeer } from "../peers/moto-peer.ts";
import { acquirePeer } from "./shared-peer.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { peer: moto, release } = await acquirePeer("moto", startMotoPeer);
  project.provide("motoEndpoint", moto.endpoint);
  return release;
}
