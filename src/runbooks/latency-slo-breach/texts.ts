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
