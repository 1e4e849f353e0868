package dev.runbookbot.flinkpeer;

import java.io.File;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * A real Flink for the tests: a MiniCluster (JobManager with the real REST API on 127.0.0.1, one
 * TaskManager) running a job shaped like the seed's pipeline:
 *
 * <pre>
 * Source: Kafka orders.raw -> parse-validate | enrichment | Window(5 min tumbling, event time) | Sink: Firehose order-firehose
 * </pre>
 *
 * Checkpoints go to s3://checkpoint-bucket/state/JOB (scheme s3 served by LocalS3FileSystem over a
 * local folder). The MiniCluster outlives the job (a FAILED job stays visible over REST).
 *
 * <p>Arguments (all optional): --scenario healthy|FAULT[,FAULT] (see Faults), --rest-port N,
 * --s3-root DIR, --control-file FILE, --job-name NAME, --parallelism N, --checkpoint-interval-ms N,
 * --rate ORDERS_PER_S, --state-kb N, --slow-record-ms N, --slow-sync-ms N, --s3-slow-file-ms N,
 * --s3-slow-bytes-per-s N, --crash-after-ms N, --restart-delay-ms N, --restart-attempts N,
 * --tolerable-failed-checkpoints N, --metrics-interval-ms N, --min-pause-ms N.
 *
 * <p>Prints "REST http://127.0.0.1:PORT" and "JOB <id> <name>" on stdout once submitted.
 */
public final class FlinkPeer {
    private FlinkPeer() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parseArgs(argv);
        String scenario = args.getOrDefault("scenario", "healthy");
        Set<String> faults = Faults.parse(scenario);
        Faults.set(faults);
        String controlFile = args.get("control-file");
        Faults.watch(controlFile == null ? null : Paths.get(controlFile));

        String jobName = args.getOrDefault("job-name", "order-processing");
        int restPort = Integer.parseInt(args.getOrDefault("rest-port", "8081"));
        int parallelism = Integer.parseInt(args.getOrDefault("parallelism", "2"));
        long intervalMs = Long.parseLong(args.getOrDefault("checkpoint-interval-ms", "60000"));
        int rate = Integer.parseInt(args.getOrDefault("rate", "200"));
        int stateKb = Integer.parseInt(args.getOrDefault("state-kb", "256"));
        long slowRecordMs = Long.parseLong(args.getOrDefault("slow-record-ms", "100"));
        long slowSyncMs = Long.parseLong(args.getOrDefault("slow-sync-ms", "6000"));
        long crashAfterMs =
                Long.parseLong(args.getOrDefault("crash-after-ms", faults.contains(Faults.FAILED) ? "500" : "4000"));
        long restartDelayMs = Long.parseLong(args.getOrDefault("restart-delay-ms", faults.contains(Faults.FAILED) ? "1000" : "10000"));
        int restartAttempts =
                Integer.parseInt(args.getOrDefault("restart-attempts", faults.contains(Faults.FAILED) ? "2" : "1000"));
        int tolerable = Integer.parseInt(args.getOrDefault("tolerable-failed-checkpoints", "1000"));
        long metricsIntervalMs = Long.parseLong(args.getOrDefault("metrics-interval-ms", "10000"));

        File s3Root = new File(args.getOrDefault("s3-root", new File(System.getProperty("java.io.tmpdir"), "flink-peer-s3").getPath()));
        LocalS3FileSystemFactory.root = s3Root;
        LocalS3FileSystemFactory.slowFileMs = Long.parseLong(args.getOrDefault("s3-slow-file-ms", "1500"));
        LocalS3FileSystemFactory.slowBytesPerSecond = Long.parseLong(args.getOrDefault("s3-slow-bytes-per-s", String.valueOf(64 * 1024)));
        String checkpointDir = "s3://checkpoint-bucket/state/" + jobName;

        Map<String, String> c = new HashMap<>();
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", String.valueOf(restPort));
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.numberOfTaskSlots", String.valueOf(parallelism));
        c.put("parallelism.default", String.valueOf(parallelism));
        c.put("pipeline.name", jobName);
        c.put("metrics.fetcher.update-interval", metricsIntervalMs + " ms");
        // Small memory: several JVMs share a 2-core machine.
        c.put("taskmanager.memory.network.min", "32mb");
        c.put("taskmanager.memory.network.max", "32mb");
        c.put("taskmanager.memory.managed.size", "32mb");
        // Small network buffers: a slow operator back-pressures its input within seconds.
        c.put("taskmanager.memory.segment-size", "4kb");
        // Checkpointing as on the seed's cluster: exactly-once, one at a time, retained on cancel.
        c.put("execution.checkpointing.interval", intervalMs + " ms");
        c.put("execution.checkpointing.mode", "EXACTLY_ONCE");
        c.put("execution.checkpointing.timeout", "10 min");
        c.put("execution.checkpointing.max-concurrent-checkpoints", "1");
        // Flink's first trigger comes at a random delay between min-pause and the interval; one that
        // comes before every task runs is declined and counted as failed (a fresh healthy job with
        // counts.failed = 1). A min-pause keeps the first one later.
        c.put("execution.checkpointing.min-pause", args.getOrDefault("min-pause-ms", "0") + " ms");
        c.put("execution.checkpointing.tolerable-failed-checkpoints", String.valueOf(tolerable));
        c.put("execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        c.put("state.backend.type", "hashmap");
        // Keys of 1.20 and their 2.x names: each version reads the one it knows.
        c.put("state.checkpoints.dir", checkpointDir);
        c.put("execution.checkpointing.dir", checkpointDir);
        c.put("state.checkpoint-storage", "filesystem");
        c.put("execution.checkpointing.storage", "filesystem");
        // Every state chunk goes to a file of its own (none inlined into _metadata): tasks write to s3.
        c.put("state.storage.fs.memory-threshold", "0b");
        c.put("execution.checkpointing.data-inline-threshold", "0b");
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", String.valueOf(restartAttempts));
        c.put("restart-strategy.fixed-delay.delay", restartDelayMs + " ms");
        Configuration conf = Configuration.fromMap(c);

        FileSystem.initialize(conf, null);

        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(parallelism)
                                .build());
        cluster.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                cluster.closeAsync().get(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // exiting anyway
            }
        }, "flink-peer-shutdown"));
        System.out.println("REST " + cluster.getRestAddress().get());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        DataGeneratorSource<Order> source =
                new DataGeneratorSource<>(
                        new OrderGenerator(),
                        Long.MAX_VALUE,
                        RateLimiterStrategy.perSecond(rate),
                        TypeInformation.of(Order.class));
        WatermarkStrategy<Order> watermarks =
                WatermarkStrategy.<Order>forGenerator(ctx -> new PeerWatermarks(2000))
                        .withTimestampAssigner((order, ts) -> order.eventTime);
        DataStream<Order> parsed =
                env.fromSource(source, watermarks, "Kafka orders.raw").map(new ParseValidate(crashAfterMs)).name("parse-validate");
        DataStream<Order> enriched =
                parsed.map(new Enrichment(stateKb, slowRecordMs, slowSyncMs)).name("enrichment").startNewChain();
        enriched.keyBy(order -> order.customerId)
                .window(TumblingEventTimeWindows.of(Duration.ofMinutes(5)))
                .aggregate(new OrderAggregator())
                .sinkTo(new DiscardingSink<>())
                .name("Firehose order-firehose")
                .disableChaining();

        JobGraph job = env.getStreamGraph().getJobGraph();
        JobID id = cluster.submitJob(job).get().getJobID();
        System.out.println("JOB " + id + " " + jobName + " faults=" + Faults.describe());
        Thread.currentThread().join();
    }

    private static Map<String, String> parseArgs(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--") || i + 1 >= argv.length) throw new IllegalArgumentException("expected --name value, got " + a);
            args.put(a.substring(2), argv[++i]);
        }
        return args;
    }

}
