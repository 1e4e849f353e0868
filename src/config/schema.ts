/**
 * The configuration's shape, defaults from the seed runbooks. Secrets are not part of the file:
 * they come from the environment (see load-config.ts) and live under `secrets`.
 */
import { z } from "zod";
import { DEFAULT_QUALIFIERS } from "../core/intake/alert-names.ts";
import type { MetricStatistic } from "../ports/metrics.ts";
import { httpUrl } from "./http-url.ts";

const nonEmpty = z.string().min(1);

export const slackSchema = z
  .object({
    /** socket: Socket Mode (no public URL); http: signed requests on /slack/events. */
    mode: z.enum(["socket", "http"]).default("socket"),
    /** Web API base URL (GovSlack, testing). */
    apiUrl: httpUrl().default("https://slack.com/api/"),
    /** HTTP mode: port of the /slack/events endpoint. */
    port: z.number().int().min(1).max(65535).default(3000),
    /** Channels (ids like C0123 or names like incidents) whose alert messages open incidents. */
    incidentChannels: z.array(nonEmpty).min(1).default(["incidents"]),
    /**
     * Channels (ids or names) where the slash command answers; elsewhere it says where it may be
     * used and does nothing. Absent: anywhere.
     */
    commandChannels: z.array(nonEmpty).min(1).optional(),
    /** Let messages typed by people open incidents too (by default they use /runbook). */
    allowHumanAlerts: z.boolean().default(false),
    /** The slash command the app registers. */
    command: z
      .string()
      .regex(/^\/[a-z0-9_-]+$/)
      .default("/runbook"),
  })
  .strict();

export const alertsSchema = z
  .object({
    /** Extra regular expressions (case-insensitive) per runbook id that also name its alert. */
    extraPatterns: z.record(nonEmpty, z.array(nonEmpty)).default({}),
    /**
     * Words that, joined to an alert name by `-`, `_` or `.`, make it another alarm that opens
     * nothing (`memory-usage-high-staging`, `canary_dlq_spike_critical`). Replaces the defaults.
     */
    qualifiers: z
      .array(z.string().regex(/^[a-z0-9]+$/i, "a qualifier is one word of letters and digits"))
      .default([...DEFAULT_QUALIFIERS]),
  })
  .strict();

const saslPasswordSchema = z
  .object({
    mechanism: z.enum(["plain", "scram-sha-256", "scram-sha-512"]),
    username: nonEmpty,
    /** Name of the environment variable that holds the password (never the password itself). */
    passwordEnv: nonEmpty,
  })
  .strict();

const saslMskIamSchema = z
  .object({
    /** Amazon MSK IAM access control (SASL OAUTHBEARER signed with the AWS default credential chain). */
    mechanism: z.literal("aws-msk-iam"),
    /** Region of the cluster; default: aws.region, else the region in msk.clusterArn. */
    region: nonEmpty.optional(),
  })
  .strict();

/** TLS with settings: a private CA, a certificate name that differs from the broker address. */
const kafkaTlsSchema = z
  .object({
    /** PEM file of the CA certificate(s) to trust instead of the system ones. */
    caFile: nonEmpty.optional(),
    /** SNI and the name the certificate must carry, when it differs from the broker address. */
    servername: nonEmpty.optional(),
    /** Check the broker's certificate (unset: true). false only for a test cluster. */
    rejectUnauthorized: z.boolean().optional(),
  })
  .strict();

export const kafkaSchema = z
  .object({
    brokers: z.array(nonEmpty).min(1),
    clientId: nonEmpty.default("runbook-bot"),
    /**
     * true: TLS trusting the system CAs; a mapping: TLS with a CA file, a server name, or no check.
     * Unset: off, except on with sasl aws-msk-iam (kafka-config.ts decides; no default here, or
     * an unset value would turn TLS off for IAM).
     */
    ssl: z.union([z.boolean(), kafkaTlsSchema]).optional(),
    sasl: z.discriminatedUnion("mechanism", [saslPasswordSchema, saslMskIamSchema]).optional(),
    connectionTimeoutMs: z.number().int().positive().default(5000),
    requestTimeoutMs: z.number().int().positive().default(10000),
    /** Topic of the produce/consume round-trip check (the broker-down runbook). */
    testTopic: nonEmpty.default("runbook-bot.healthcheck"),
    /**
     * Prefix of the throwaway consumer groups used to read the newest records without touching the
     * job's group (each read deletes its group afterwards).
     */
    scratchGroupPrefix: nonEmpty.default("runbook-bot-scratch"),
  })
  .strict();

export const awsSchema = z
  .object({
    region: nonEmpty.default("us-east-1"),
    /** Endpoint override for every AWS service (an AWS emulator in tests). Credentials come from the SDK's default chain. */
    endpoint: httpUrl().optional(),
    /** Per-service endpoint overrides (take precedence over `endpoint`). */
    endpoints: z
      .object({
        cloudwatch: httpUrl().optional(),
        logs: httpUrl().optional(),
        firehose: httpUrl().optional(),
        msk: httpUrl().optional(),
      })
      .strict()
      .default({}),
    /** Upper bound for one AWS call, retries and backoff included. */
    requestTimeoutMs: z.number().int().positive().max(120_000).default(10_000),
    /** Attempts per call (first try included), with exponential backoff; throttling is retried too. */
    maxAttempts: z.number().int().min(1).max(10).default(3),
    /** How long a Logs Insights query may run before the bot stops it and reports what it has. */
    logsQueryDeadlineMs: z.number().int().positive().max(300_000).default(30_000),
  })
  .strict();

export const mskSchema = z
  .object({
    /** ARN of the MSK cluster (describe, list broker nodes, reboot a broker). */
    clusterArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/.+/,
        "an MSK cluster ARN like arn:aws:kafka:us-east-1:123456789012:cluster/OrderProcessing/<uuid>",
      ),
  })
  .strict();

export const flinkSchema = z
  .object({
    /** The JobManager's REST endpoint, e.g. http://flink-jobmanager.flink:8081 (user:password@ is sent as basic auth). */
    url: httpUrl(),
    /** The job to watch, by name; default: the single RUNNING job. */
    jobName: nonEmpty.optional(),
    requestTimeoutMs: z.number().int().positive().max(120_000).default(5_000),
  })
  .strict();

export const kubernetesSchema = z
  .object({
    /** kubeconfig file; in-cluster credentials are used when absent and the bot runs in a pod. */
    kubeconfig: nonEmpty.optional(),
    context: nonEmpty.optional(),
    inCluster: z.boolean().default(false),
    /**
     * The Flink Kubernetes Operator's FlinkDeployment that runs the job, when it is operator-managed:
     * scale, restart and resources then go to it. Found by itself when left out (flinkOperator: auto).
     */
    flinkDeployment: nonEmpty.optional(),
    /** auto: detect a FlinkDeployment owning the taskmanagers; off: always act on the Deployment. */
    flinkOperator: z.enum(["auto", "off"]).default("auto"),
  })
  .strict();

export const pipelineSchema = z
  .object({
    namespace: nonEmpty.default("flink"),
    taskmanagerDeployment: nonEmpty.default("flink-taskmanager"),
    taskmanagerSelector: nonEmpty.default("app=flink-taskmanager"),
    consumerGroup: nonEmpty.default("order-processor"),
    sourceTopic: nonEmpty.default("orders.raw"),
    metricsNamespace: nonEmpty.default("ecommerce-streaming"),
    logGroup: nonEmpty.default("ecommerce-streaming"),
    deliveryStream: nonEmpty.default("order-firehose"),
    /** Label selector of the JobManager pods (checkpoint logs). */
    jobmanagerSelector: nonEmpty.default("app=flink-jobmanager"),
    /** The RocksDB state volume claim of the taskmanagers. */
    statePvc: nonEmpty.default("flink-state-pvc"),
    /** S3 bucket of Flink's checkpoints. */
    checkpointBucket: nonEmpty.default("checkpoint-bucket"),
    /** IAM role the Flink tasks run as (checkpoint writes). */
    flinkRoleName: nonEmpty.default("FlinkTaskExecutorRole"),
    /** Its inline policy that grants the checkpoint bucket. */
    flinkPolicyName: nonEmpty.default("FlinkCheckpointPolicy"),
    /** IAM role Firehose delivers as, and its inline policy. */
    firehoseRoleName: nonEmpty.default("FirehoseDeliveryRole"),
    firehosePolicyName: nonEmpty.default("FirehoseS3Policy"),
  })
  .strict();

/**
 * The Verify step after a fix succeeds: the bot watches the alert's signal for the runbook's expected
 * recovery time. Both timings default to each runbook's own (the seed's); set them to override all.
 */
export const verificationSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** How long to watch before saying "not recovered", in minutes. Default: the runbook's. */
    withinMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .optional(),
    /** Seconds between two looks. Default: the runbook's. */
    everySeconds: z.number().positive().max(3600).optional(),
  })
  .strict();

/** Each alert's threshold, as the seed states it. */
export const thresholdsSchema = z
  .object({
    dlqRecordsPerMinute: z.number().positive().default(100),
    checkpointFailuresPer5m: z.number().min(0).default(0),
    minBrokersAlive: z.number().int().positive().default(3),
    firehoseFailedPutsPerMinute: z.number().min(0).default(0),
    consumerLagRecords: z.number().int().positive().default(50_000),
    latencyP99Seconds: z.number().positive().default(5),
    windowCompletenessPercent: z.number().min(0).max(100).default(95),
    memoryUsagePercent: z.number().min(0).max(100).default(85),
    checkpointDurationSeconds: z.number().positive().default(30),
  })
  .strict();

export const runbookTuningSchema = z
  .object({
    /** Seconds between the two lag samples that tell growing from stable lag. */
    lagSampleIntervalSeconds: z.number().min(0).max(300).default(30),
    /** Lag growth per second above which lag counts as growing. */
    lagGrowthPerSecond: z.number().min(0).default(10),
    /** Per-probe timeout. */
    probeTimeoutSeconds: z.number().positive().max(120).default(10),
    /** Pod CPU or memory use, as percent of its limit, that counts as a resource constraint. */
    resourcePressurePercent: z.number().min(1).max(100).default(80),
    /** RecordsOut below this fraction of RecordsIn means the job is falling behind. */
    throughputRatioFloor: z.number().min(0).max(1).default(0.95),
    /** Watermark lag (ms) above which the watermark counts as stuck. */
    watermarkStuckMs: z.number().positive().default(60_000),
  })
  .strict();

export const scaleActionSchema = z
  .object({
    minReplicas: z.number().int().min(1).default(1),
    maxReplicas: z.number().int().min(1).default(12),
  })
  .strict()
  .refine((s) => s.minReplicas <= s.maxReplicas, {
    message: "minReplicas must not exceed maxReplicas",
  });

export const approvalsSchema = z
  .object({
    /** Slack user ids allowed to request and approve actions. */
    users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, "a Slack user id like U0123ABC")).default([]),
    /** Slack user group ids (S...) whose members are allowed too. */
    usergroups: z.array(z.string().regex(/^S[A-Z0-9]+$/, "a Slack user group id like S0123ABC")).default([]),
    /** Whether the requester may approve their own request (high-risk actions only). */
    allowSelfApproval: z.boolean().default(false),
    /**
     * Risk tier per action id (low, high, critical), overriding the tier the action declares
     * (an action that declares none is high).
     */
    riskTiers: z.record(nonEmpty, z.enum(["low", "high", "critical"])).default({}),
    /**
     * Channels (ids or names) where action buttons are honoured; a button pressed anywhere else is
     * refused. Default: slack.incidentChannels.
     */
    channels: z.array(nonEmpty).min(1).optional(),
    expiryMinutes: z
      .number()
      .positive()
      .max(24 * 60)
      .default(15),
  })
  .strict();

export const configSchema = z
  .object({
    slack: slackSchema.default(slackSchema.parse({})),
    alerts: alertsSchema.default(alertsSchema.parse({})),
    pipeline: pipelineSchema.default(pipelineSchema.parse({})),
    thresholds: thresholdsSchema.default(thresholdsSchema.parse({})),
    runbooks: runbookTuningSchema.default(runbookTuningSchema.parse({})),
    /** Sources: a section left out means that system is not configured. */
    kafka: kafkaSchema.optional(),
    aws: awsSchema.optional(),
    msk: mskSchema.optional(),
    flink: flinkSchema.optional(),
    kubernetes: kubernetesSchema.optional(),
    /** Metric names per catalogue id (src/core/metric-catalog.ts), where a deployment names them differently. */
    metrics: z
      .record(
        nonEmpty,
        z
          .object({
            namespace: nonEmpty.optional(),
            metric: nonEmpty.optional(),
            stat: z
              .string()
              .regex(
                /^(Sum|Average|Maximum|Minimum|SampleCount|p\d{1,2}(\.\d{1,2})?)$/,
                "Sum, Average, Maximum, Minimum, SampleCount or a percentile like p99",
              )
              // The pattern above is exactly the statistics CloudWatch knows: typed as such.
              .transform((stat) => stat as MetricStatistic)
              .optional(),
          })
          .strict(),
      )
      .default({}),
    actions: z
      .object({
        scaleTaskmanagers: scaleActionSchema.default(scaleActionSchema.parse({})),
        /** Kill switch: every action is preview-only (requests are shown, nothing executes). */
        frozen: z.boolean().default(false),
        verification: verificationSchema.default(verificationSchema.parse({})),
        /**
         * An executing bot renews its lease on the request every third of this; another process (or
         * the next start) declares an execution whose lease is older than this outcome-unknown.
         */
        executionLeaseSeconds: z.number().min(0.1).max(3600).default(60),
        /** Outcome unknown (a write timed out): how long to read the real state to settle it, and how often. */
        settleWithinSeconds: z.number().min(0.1).max(3600).default(120),
        settleEverySeconds: z.number().min(0.05).max(600).default(2),
      })
      .strict()
      .default({
        scaleTaskmanagers: scaleActionSchema.parse({}),
        frozen: false,
        verification: verificationSchema.parse({}),
        executionLeaseSeconds: 60,
        settleWithinSeconds: 120,
        settleEverySeconds: 2,
      }),
    approvals: approvalsSchema.default(approvalsSchema.parse({})),
    /**
     * Several replicas on one store: work that one replica at a time does (the sweeps, each
     * request's recovery watch) is held under a lease of this length, renewed every third of it;
     * when its holder dies another replica takes the work over within about a lease and a third.
     */
    replicas: z
      .object({ leaseSeconds: z.number().min(0.3).max(600).default(15) })
      .strict()
      .default({ leaseSeconds: 15 }),
    store: z
      .object({
        path: nonEmpty.default("data/runbook-bot.db"),
        /**
         * The environment variable holding a PostgreSQL URL (never the URL itself: it carries the
         * password). Set: the store is PostgreSQL (several replicas); unset: SQLite at `path`.
         */
        databaseUrlEnv: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name")
          .default("RUNBOOK_BOT_DATABASE_URL"),
      })
      .strict()
      .default({ path: "data/runbook-bot.db", databaseUrlEnv: "RUNBOOK_BOT_DATABASE_URL" }),
    /** The operability endpoints (/healthz, /readyz, /metrics) of `serve`, on a port of their own. */
    ops: z
      .object({
        enabled: z.boolean().default(true),
        /** 0.0.0.0 in a pod (the kubelet and Prometheus reach it); 127.0.0.1 to keep it local. */
        host: nonEmpty.default("0.0.0.0"),
        /** Apart from slack.port: probes and scrapes need no Slack signature. 0: any free port. */
        port: z.number().int().min(0).max(65535).default(9090),
      })
      .strict()
      .default({ enabled: true, host: "0.0.0.0", port: 9090 }),
    log: z
      .object({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      })
      .strict()
      .default({ level: "info" }),
  })
  .strict();

export type FileConfig = z.infer<typeof configSchema>;

export interface Secrets {
  readonly slackBotToken?: string;
  readonly slackAppToken?: string;
  readonly slackSigningSecret?: string;
  /** Kafka SASL password, read from the variable the config names. */
  readonly kafkaPassword?: string;
  /** PostgreSQL URL (with its password), read from store.databaseUrlEnv: the store is PostgreSQL. */
  readonly databaseUrl?: string;
}

export type AppConfig = FileConfig & { readonly secrets: Secrets };
