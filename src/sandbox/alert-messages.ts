/**
 * How the sandbox's "alerting tool" posts: Prometheus Alertmanager's default Slack template
 * (empty text, the content in one attachment), firing or resolved.
 */
import type { RunbookMeta } from "../core/catalog.ts";

export function alertmanagerMessage(meta: RunbookMeta, state: "firing" | "resolved", count = 1) {
  const title =
    state === "firing"
      ? `[FIRING:${count}] ${meta.alert} (${meta.severity} ecommerce-streaming)`
      : `[RESOLVED] ${meta.alert} (${meta.severity} ecommerce-streaming)`;
  return {
    username: "Alertmanager",
    text: "",
    attachments: [
      {
        color: state === "firing" ? "danger" : "good",
        title,
        title_link: "http://alertmanager.sandbox:9093/#/alerts?receiver=slack-incidents",
        fallback: `${title} | http://alertmanager.sandbox:9093/#/alerts?receiver=slack-incidents`,
        text: `*Alert:* ${meta.alert} - \`${meta.severity}\`\n*Description:* ${meta.title}: ${meta.condition}\n*Details:*\n  • *alertname:* \`${meta.alert}\`\n  • *severity:* \`${meta.severity}\``,
        mrkdwn_in: ["text"],
      },
    ],
  };
}
