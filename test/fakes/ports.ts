/**
 * Port doubles for unit tests of pure logic: every method a test does not give rejects with
 * "not used in this test", so a test that starts calling something new fails loudly.
 * (Adapters are tested against their real peers; see test/integration and test/contract.)
 */
import type { FlinkPort } from "../../src/ports/flink.ts";
import type { KafkaPort } from "../../src/ports/kafka.ts";
import type { KubernetesPort } from "../../src/ports/kubernetes.ts";

function notUsed(port: string, method: string) {
  return () => Promise.reject(new Error(`fake ${port}: ${method} is not used in this test`));
}

export function fakeKafkaPort(given: Partial<KafkaPort> & Pick<KafkaPort, "describeTarget">): KafkaPort {
  return {
    groupLag: notUsed("kafka", "groupLag"),
    describeCluster: notUsed("kafka", "describeCluster"),
    partitionHealth: notUsed("kafka", "partitionHealth"),
    sampleNewest: notUsed("kafka", "sampleNewest"),
    roundTrip: notUsed("kafka", "roundTrip"),
    planOffsetReset: notUsed("kafka", "planOffsetReset"),
    resetOffsets: notUsed("kafka", "resetOffsets"),
    close: async () => undefined,
    ...given,
  };
}

export function fakeKubernetesPort(
  given: Partial<KubernetesPort> & Pick<KubernetesPort, "describeTarget">,
): KubernetesPort {
  const n = (method: string) => notUsed("kubernetes", method);
  return {
    podUsage: n("podUsage"),
    listPods: n("listPods"),
    podLogs: n("podLogs"),
    rolloutStatus: n("rolloutStatus"),
    rolloutHistory: n("rolloutHistory"),
    volumeClaim: n("volumeClaim"),
    volumeUsage: n("volumeUsage"),
    taskmanagerWorkload: n("taskmanagerWorkload"),
    getScale: n("getScale"),
    scaleDeployment: n("scaleDeployment"),
    restartRollout: n("restartRollout"),
    undoRollout: n("undoRollout"),
    deletePods: n("deletePods"),
    setContainerResources: n("setContainerResources"),
    containerResources: n("containerResources"),
    expandVolumeClaim: n("expandVolumeClaim"),
    ...given,
  };
}

export function fakeFlinkPort(given: Partial<FlinkPort> & Pick<FlinkPort, "describeTarget">): FlinkPort {
  const n = (method: string) => notUsed("flink", method);
  return {
    overview: n("overview"),
    jobs: n("jobs"),
    findJob: n("findJob"),
    jobDetails: n("jobDetails"),
    checkpoints: n("checkpoints"),
    checkpointConfig: n("checkpointConfig"),
    exceptions: n("exceptions"),
    vertexBackpressure: n("vertexBackpressure"),
    vertexWatermarks: n("vertexWatermarks"),
    jobMetrics: n("jobMetrics"),
    taskmanagers: n("taskmanagers"),
    taskmanagerMetrics: n("taskmanagerMetrics"),
    taskmanagerMemory: n("taskmanagerMemory"),
    checkpointDetails: n("checkpointDetails"),
    jobManagerLog: n("jobManagerLog"),
    triggerCheckpoint: n("triggerCheckpoint"),
    ...given,
  };
}
