/**
 * The FlinkPort contract against the real adapter and the sandbox's simulated adapter.
 *
 * Real: FlinkRest (plain fetch) on the local Flink REST peer (test/peers/flink-rest-server.ts,
 * Flink 1.18 shapes), a fresh peer per test. Simulated: SimulatedFlink on the consumer-lag
 * scenario, as the sandbox builds it (4 taskmanagers).
 */
import { createFlinkRest } from "../../src/adapters/flink/flink-rest.ts";
import { ConsumerLagScenario } from "../../src/sandbox/simulated/consumer-lag-scenario.ts";
import { SimulatedFlink } from "../../src/sandbox/simulated/simulated-flink.ts";
import { ORDER_PROCESSING, startFlinkRestServer } from "../peers/flink-rest-server.ts";
import { flinkContract } from "./flink.contract.ts";

flinkContract("real adapter on the Flink REST peer", async () => {
  const server = await startFlinkRestServer();
  return {
    port: createFlinkRest({
      url: server.url,
      timeoutMs: 10_000,
      pollIntervalMs: 50,
      backpressureRetryMs: 50,
    }),
    jobName: ORDER_PROCESSING,
    stop: () => server.stop(),
  };
});

flinkContract("simulated (sandbox)", async () => ({
  port: new SimulatedFlink(new ConsumerLagScenario()),
  jobName: "order-processing",
}));

flinkContract("simulated (sandbox), scaled to 8 taskmanagers", async () => {
  const scenario = new ConsumerLagScenario();
  scenario.scale(8);
  return { port: new SimulatedFlink(scenario), jobName: "order-processing" };
});
