/** CloudWatch metrics in the sandbox, following the consumer-lag scenario. */
import type { MetricPoint, MetricQuery, MetricsPort } from "../../ports/metrics.ts";
import type { ConsumerLagScenario } from "./consumer-lag-scenario.ts";

export class SimulatedMetrics implements MetricsPort {
  readonly describeTarget = "simulated CloudWatch (sandbox)";
  constructor(private readonly scenario: ConsumerLagScenario) {}

  async series(q: MetricQuery): Promise<MetricPoint[]> {
    const perMinuteIn = this.scenario.arrivalPerSecond * 60;
    const perMinuteOut = Math.min(perMinuteIn, this.scenario.processingPerSecond() * 60);
    const value = (i: number): number | undefined => {
      switch (q.metric) {
        case "RecordsIn":
          return perMinuteIn + ((i * 37) % 11) * 100;
        case "RecordsOut":
        case "DeliveryToS3.Records":
          return perMinuteOut + ((i * 53) % 7) * 100;
        case "WatermarkLagMs":
          return 1800 + ((i * 29) % 5) * 100;
        case "window_emit_count":
          return 12;
        default:
          return undefined;
      }
    };
    const points: MetricPoint[] = [];
    const step = q.periodSeconds * 1000;
    const first = Math.ceil(q.start.getTime() / step) * step;
    for (let t = first, i = 0; t < q.end.getTime(); t += step, i++) {
      const v = value(i);
      if (v === undefined) return [];
      const raw = q.stat === "Sum" ? v * (q.periodSeconds / 60) : v;
      points.push({ at: new Date(t), value: raw });
    }
    return points;
  }
}
