/**
 * The FlinkPort contract against the real adapter on a real Flink (test/peers/flink-peer.ts: a
 * MiniCluster running the story's job, healthy) on each version of FLINK_VERSIONS, and against the
 * sandbox's simulated adapter on the consumer-lag scenario, as the sandbox builds it.
 */
import { createFlinkRest } from "../../src/adapters/flink/flink-rest.ts";
import { ConsumerLagScenario } from "../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedFlink } from "../../src/sandbox/simulated/simulated-flink.ts";
import { FLINK_VERSIONS, startFlinkPeer } from "../peers/flink-peer.ts";
import { flinkContract } from "./flink.contract.ts";

const REAL_INTERVAL_MS = 2_000;

for (const version of FLINK_VERSIONS) {
  flinkContract(`real adapter on Apache Flink ${version}`, async () => {
    const peer = await startFlinkPeer({
      version,
      checkpointIntervalMs: REAL_INTERVAL_MS,
      completedCheckpoints: 2,
    });
    return {
      port: createFlinkRest({
        url: peer.url,
        timeoutMs: 10_000,
        pollIntervalMs: 200,
        backpressureRetryMs: 1_500,
      }),
      jobName: peer.jobName,
      checkpointConfig: { intervalMs: REAL_INTERVAL_MS, stateBackend: "HashMapStateBackend" },
      // A healthy checkpoint of the peer's ~1 MB state to a local folder: milliseconds to seconds.
      checkpointAvgMs: { min: 1, max: 10_000 },
      stop: () => peer.stop(),
    };
  });
}

const simulated = {
  jobName: "order-processing",
  checkpointConfig: { intervalMs: 60_000, stateBackend: "EmbeddedRocksDBStateBackend" },
  // The story's checkpoints: a few seconds each.
  checkpointAvgMs: { min: 4_000, max: 9_000 },
};

flinkContract("simulated (sandbox)", async () => ({
  ...simulated,
  port: new SimulatedFlink(new ConsumerLagScenario()),
}));

flinkContract("simulated (sandbox), scaled to 8 taskmanagers", async () => {
  const scenario = new ConsumerLagScenario();
  scenario.scale(8);
  return { ...simulated, port: new SimulatedFlink(scenario) };
});
