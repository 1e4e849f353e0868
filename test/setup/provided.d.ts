// Values the global setup hands to tests through vitest's provide/inject.
declare module "vitest" {
  export interface ProvidedContext {
    /** host:port of the real Kafka broker started for this run. */
    kafkaBrokers: string;
    /** Version of that broker, e.g. "4.1.0". */
    kafkaVersion: string;
    /** http://127.0.0.1:PORT of the moto server started for this run. */
    motoEndpoint: string;
    /** The real Kubernetes control plane started for this run (test/peers/kube-peer.ts). */
    kubePeer: import("../peers/kube-peer.ts").KubePeerInfo;
  }
}

export {};
