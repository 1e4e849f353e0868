/** Turns probes that could not answer into findings a human can act on. */
import { type Finding, finding } from "../core/finding.ts";
import type { Probe, ProbeResult } from "../core/runbook.ts";
import type { PortName, Ports } from "../ports/index.ts";
import { formatShortDuration } from "./run-probe.ts";

const PORT_LABEL: Record<PortName, { name: string; section: string }> = {
  kafka: { name: "Kafka", section: "kafka" },
  metrics: { name: "CloudWatch metrics", section: "aws" },
  logs: { name: "CloudWatch Logs", section: "aws" },
  firehose: { name: "Firehose", section: "aws" },
  msk: { name: "MSK", section: "msk" },
  kubernetes: { name: "Kubernetes", section: "kubernetes" },
  flink: { name: "Flink REST", section: "flink" },
};

export function probeProblem(probe: Probe, result: ProbeResult, ports: Ports): Finding | undefined {
  switch (result.status) {
    case "ok":
      return undefined;
    case "unconfigured": {
      const label = PORT_LABEL[result.port];
      return finding("info", `Not checked: ${label.name} is not configured`, {
        detail: `Could not ${probe.title}. Add ${/^[aeiou]/.test(label.section) ? "an" : "a"} \`${label.section}\` section to the config to let the bot check this.`,
      });
    }
    case "timeout":
    case "failed": {
      const target = targetOf(probe, ports);
      const after = result.status === "timeout" ? "" : ` (after ${formatShortDuration(result.durationMs)})`;
      return finding("error", `Could not ${probe.title}`, {
        detail: `${target ? `${target}: ` : ""}${result.error}${after}`,
      });
    }
  }
}

function targetOf(probe: Probe, ports: Ports): string | undefined {
  const port = probe.needs[0];
  if (port === undefined) return undefined;
  return ports[port]?.describeTarget;
}
