/**
 * Fetches and builds what the real peers need, before vitest starts (`npm test` runs it), one
 * after the other so a cold machine's downloads and builds don't fight for its 2 cores, and with
 * no test or hook timeout over them: the Kafka jars (Maven Central), moto (PyPI), the Kubernetes
 * control plane (etcd, kube-apiserver, kube-controller-manager from the Go module proxy; about 20
 * minutes cold), PostgreSQL (Debian's package, apt-get) and the Flink peer for each tested version (Maven Central). Each step is a no-op
 * when its cache (outside the clone, keyed by version) is complete, so a warm run takes seconds.
 *
 * `npm run test:unit` does not run it: the unit tests need no peer.
 */
import { ensureBuilt, FLINK_VERSIONS } from "./flink-peer.ts";
import { ensureKafkaJars } from "./kafka-peer.ts";
import { ensureBinaries } from "./kube-peer.ts";
import { ensureMotoInstalled } from "./moto-peer.ts";
import { ensurePostgresInstalled } from "./postgres-peer.ts";

const steps: readonly [string, () => Promise<unknown>][] = [
  ["Kafka jars", ensureKafkaJars],
  ["moto", ensureMotoInstalled],
  ["PostgreSQL (Debian package)", ensurePostgresInstalled],
  ["Kubernetes control plane", ensureBinaries],
  ...FLINK_VERSIONS.map((v): [string, () => Promise<unknown>] => [`Flink ${v} peer`, () => ensureBuilt(v)]),
];

const started = Date.now();
for (const [name, step] of steps) {
  const t = Date.now();
  try {
    await step();
  } catch (error) {
    process.stderr.write(
      `[prepare-peers] ${name}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  process.stderr.write(`[prepare-peers] ${name} ready (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
}
process.stderr.write(`[prepare-peers] all peers ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
