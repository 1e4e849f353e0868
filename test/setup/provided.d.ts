import type { KafkaSecureListeners } from "../peers/kafka-secure-listeners.ts";

// Values the global setup hands to tests through vitest's provide/inject.
declare module "vitest" {
  export interface ProvidedContext {
    /** host:port of the real Kafka broker started for this run. */
    kafkaBrokers: string;
    /** Version of that broker, e.g. "4.1.0". */
    kafkaVersion: string;
    /** The same broker's SSL, SASL_SSL (SCRAM) and SASL_PLAINTEXT (PLAIN) listeners, CA and credentials. */
    kafkaSecure: KafkaSecureListeners;
    /** http://127.0.0.1:PORT of the moto server started for this run. */
    motoEndpoint: string;
    /** The real Kubernetes control plane started for this run (test/peers/kube-peer.ts). */
    kubePeer: import("../peers/kube-peer.ts").KubePeerInfo;
    /** postgres://user:password@127.0.0.1:PORT/db of the PostgreSQL server started for this run. */
    postgresUrl: string;
  }
}
