/** Static text of the latency-slo-breach runbook, beside its logic: what each cause means, the seed's snippets and fix lines, by cause. */
import type { LatencyCause } from "./diagnose.ts";

export const CAUSE_TITLE: Record<LatencyCause, string> = {
  "below-threshold": "p99 is back under the SLO",
  "enrichment-customer-hotspot": "enrichment slow for a few customers (customer service)",
  "enrichment-cache-miss": "enrichment cache misses",
  "enrichment-api-slow": "enrichment API slow",
  enrichment: "enrichment operator slow (API and cache look normal)",
  "firehose-slow": "Firehose slow",
  "backpressure-cpu": "backpressure: task managers full (CPU)",
  backpressure: "backpressure from downstream",
  "operator-slow": "a slow operator without a seed fix",
  unknown: "not determined",
};

export const CACHE_TTL_SNIPPET = [
  "# Option 1: Increase cache TTL (5 min fix)",
  "# File: KafkaStreamingJob.java",
  "customer_cache = TTLCache(ttl_seconds=3600)  # 1 hour instead of 10 min",
].join("\n");

export const REDIS_SNIPPET = [
  "# Option 2: Add local Redis cache (10 min fix)",
  "# File: KafkaStreamingJob.java",
  "redis_client = redis.Redis(host='redis.default', port=6379)",
  "",
  "def enrich_order(order):",
  '    customer_id = order["customer_id"]',
  "    ",
  "    # Try cache first",
  '    cached = redis_client.get(f"customer:{customer_id}")',
  "    if cached:",
  '        return {..., "customer": json.loads(cached)}',
  "    ",
  "    # Cache miss, fetch from API",
  "    customer = fetch_customer_api(customer_id)",
  '    redis_client.setex(f"customer:{customer_id}", 3600, json.dumps(customer))',
  '    return {..., "customer": customer}',
].join("\n");

export const BUFFER_POOL_SNIPPET = [
  "# Increase buffer pool (allow more queued records)",
  "# File: flink-config.yaml",
  "taskmanager.network.memory.buffers: 2048  # Increase from 1024",
].join("\n");

/** The seed's fix per cause, where it is prose only (the step adds proposals, names and numbers). */
export const FIX_TEXT = {
  "below-threshold": {
    title: "No fix needed now",
    detail: "p99 is under the SLO. Keep watching it for 30 minutes; the alert clears by itself.",
  },
  enrichment: {
    title: "Human step: profile the enrichment operator",
    detail:
      "Enrichment is slow although the API answers quickly and the cache hits: look at the operator itself (serialization, GC pauses, a lock) in a thread dump of a taskmanager. Caching still shortens the path:",
  },
  "backpressure-cpu": {
    title: "Scale up Flink",
    detail: "The task managers are full: more replicas spread the load (the job's parallelism must follow).",
  },
  backpressure: {
    title: "Fix the downstream first",
    detail:
      "Buffers are full while CPU is not: the stage after the back-pressured vertices is slow. Check Firehose (`/runbook firehose`) and consumer lag (`/runbook lag`); scaling Flink does not help while downstream refuses data. To absorb bursts meanwhile:",
  },
  "operator-slow": {
    detail:
      "The seed's fixes cover enrichment, Firehose and backpressure. Check this operator's recent changes and a taskmanager thread dump; re-run `/runbook latency` after a change.",
  },
  unknown: {
    title: "Work the branches by hand",
    detail:
      "The configured sources did not single out a slow operator: run the per-operator query in Logs Insights and check Flink's back pressure tab.",
  },
} as const satisfies Partial<Record<LatencyCause, { title?: string; detail: string }>>;

/** The seed's caching fix for the enrichment branches. */
export const CACHE_ADVICE = {
  title: "Human step: cache enrichment results (code change)",
  "enrichment-cache-miss":
    "Most orders miss the cache and pay the API call: keep customers cached longer (Option 1), or share the cache across taskmanagers in Redis (Option 2).",
  other:
    "Every cache hit skips the slow API: increase the cache TTL (Option 1) or add a Redis cache (Option 2).",
} as const;

export const BUFFER_POOL_TITLE = "Human step: increase the network buffer pool";
