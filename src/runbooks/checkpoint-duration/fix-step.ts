/** Step 3 (Fix): the fix for each cause. */
import type { AppConfig } from "../../config/schema.ts";
import { type Finding, finding } from "../../core/finding.ts";
import { formatDuration } from "../../core/format-units.ts";
import { type ProbeResults, read, type StepAssessment } from "../../core/runbook.ts";
import type { CheckpointConfig } from "../../ports/flink.ts";
import type { DurationDiagnosis } from "./diagnose.ts";
import { diagnosisOf } from "./diagnosis.ts";
import { checkpointConfigProbe } from "./probes.ts";
import { CAUSE_TITLE, FIX_LINE, FIX_TEXT } from "./texts.ts";

export function stateLeakFix(): Finding {
  return finding("warning", FIX_TEXT["state-leak"].title, {
    detail: FIX_TEXT["state-leak"].detail,
    evidence: [
      {
        kind: "code",
        text: "// File: KafkaStreamingJob.java\n.window(TumblingEventTimeWindows.of(Time.minutes(5)))\n.evictor(TimeEvictor.of(Time.minutes(5)))  // Discard old records",
      },
      {
        kind: "code",
        text: "// Reduce TTL: expire keyed state not written for an hour\nStateTtlConfig ttl = StateTtlConfig.newBuilder(Time.hours(1))\n    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)\n    .cleanupInRocksdbCompactFilter(1000)\n    .build();\ndescriptor.enableTimeToLive(ttl);",
      },
    ],
  });
}

export function networkFix(config: AppConfig, cfg: CheckpointConfig | undefined): Finding {
  const bucket = config.pipeline.checkpointBucket;
  const timeout = cfg?.timeoutMs;
  return finding(
    "warning",
    "If network slow: measure S3, then upload in parallel or accept slower checkpoints (human step)",
    {
      detail: `1) Time a 500 MB upload from the cluster (over 30 s = network slow). 2) Upload with more threads. The seed's \`state.backend.rocksdb.thread.num\` sets RocksDB's background (flush/compaction) threads; the threads that upload checkpoint files to S3 are \`state.backend.rocksdb.checkpoint.transfer.thread.num\`. 3) Or accept slow checkpoints with a longer timeout${timeout === undefined ? "" : ` (now ${timeout} ms, ${formatDuration(timeout)})`}. S3 Transfer Acceleration helps across regions only, and Flink's S3 filesystem must then use the accelerate endpoint.`,
      evidence: [
        {
          kind: "code",
          text: `time (dd if=/dev/zero bs=1M count=500 | aws s3 cp - s3://${bucket}/runbook-bot-speed-test)\naws s3 rm s3://${bucket}/runbook-bot-speed-test`,
        },
        {
          kind: "code",
          text: "# File: flink-config.yaml\nstate.backend.rocksdb.checkpoint.transfer.thread.num: 8  # parallel uploads to S3\nstate.backend.rocksdb.thread.num: 4                     # the seed's setting: background threads",
        },
        {
          kind: "code",
          text: "// File: KafkaStreamingJob.java\nenv.enableExternalizedCheckpoints(CheckpointConfig.ExternalizedCheckpointCleanup.RETAIN_ON_CANCELLATION);\nenv.getCheckpointConfig().setCheckpointTimeout(600000);  // 10 minutes",
        },
      ],
    },
  );
}

export function compactionFix(): Finding {
  return finding("warning", FIX_TEXT.compaction.title, {
    detail: FIX_TEXT.compaction.detail,
    evidence: [
      {
        kind: "code",
        text: "# File: flink-config.yaml\nstate.backend.rocksdb.compaction.style: LEVEL\nstate.backend.rocksdb.compaction.level.use-dynamic-size: true\nstate.backend.rocksdb.thread.num: 4",
      },
    ],
  });
}

export function syncFix(d: DurationDiagnosis): Finding {
  return finding(
    "warning",
    "Make the synchronous snapshot short (human step, code or configuration change)",
    {
      detail: `${d.because.charAt(0).toUpperCase()}${d.because.slice(1)}. The synchronous phase blocks the task: records wait while it runs. Usual causes: a CheckpointedFunction.snapshotState that does blocking I/O or copies a big structure; with RocksDB, flushing a large memtable. Faster S3 would not help.`,
      evidence: [
        {
          kind: "code",
          text: "// snapshotState: only hand state to Flink, no remote calls, no deep copies\n@Override\npublic void snapshotState(FunctionSnapshotContext ctx) throws Exception {\n    pending.update(buffer);   // ListState, written asynchronously by the backend\n}",
        },
        {
          kind: "code",
          text: "# File: flink-config.yaml (RocksDB)\nexecution.checkpointing.incremental: true\nstate.backend.rocksdb.writebuffer.size: 32mb   # smaller memtables flush faster",
        },
      ],
    },
  );
}

export function assessFix(results: ProbeResults, config: AppConfig): StepAssessment {
  const d = diagnosisOf(results, config);
  const cfg = read(results, checkpointConfigProbe);
  const findings: Finding[] = [];
  switch (d.cause) {
    case "below-threshold":
      findings.push(
        finding("ok", FIX_TEXT["below-threshold"].title, {
          detail: FIX_TEXT["below-threshold"].detail,
        }),
      );
      break;
    case "state-leak":
      findings.push(stateLeakFix());
      break;
    case "network-slow":
      findings.push(networkFix(config, cfg));
      break;
    case "compaction":
      findings.push(compactionFix());
      break;
    case "sync-phase":
      findings.push(syncFix(d));
      break;
    case "unknown":
      findings.push(stateLeakFix(), networkFix(config, cfg), compactionFix());
      break;
  }
  return {
    status: d.cause === "below-threshold" ? "ok" : "info",
    summary: `${CAUSE_TITLE[d.cause]}: ${FIX_LINE[d.cause]}`,
    findings,
  };
}
