/**
 * The new actions end to end: the real bot on the Slack emulator, an action requested in an
 * incident's thread (through the service, as a proposal button does: no runbook in this world
 * proposes these), approved by a second person with the emulator's Approve button, executed once
 * against its peer through the real adapter. Asserted: the approval message's preview, the exact
 * write the peer received, the thread's outcome and the audit rows.
 * - rollback and restart: the Kubernetes API test server (the harness's);
 * - reboot-broker: the real MSK adapter on the MSK stand-in in front of a private moto.
 */
import { KafkaClient } from "@aws-sdk/client-kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMsk } from "../../src/adapters/aws/msk.ts";
import type { StoredMessage } from "../../src/sandbox/slack-emulator/types.ts";
import { APPROVE_ACTION_ID } from "../../src/slack/render/index.ts";
import { createOrderProcessing } from "../contract/msk.contract.ts";
import { type MotoPeer, startMotoPeer } from "../peers/moto-peer.ts";
import { type MskStandIn, startMskStandIn } from "../peers/msk-standin.ts";
import { buttonOf, CHANNEL, type Harness, harnessPerTest, startHarness, textOf, WAIT_MS } from "./harness.ts";

const DEPLOYMENT_PATH = "/apis/apps/v1/namespaces/flink/deployments/flink-taskmanager";

const start = harnessPerTest(startHarness);

const kubeWrites = (harness: Harness) =>
  harness.kube.requests
    .filter((r) => r.method !== "GET")
    .map(({ method, path, query, contentType, body }) => ({ method, path, query, contentType, body }));

/**
 * Opens an incident (a consumer-lag alert), has U_ALICE request `action` in its thread and returns
 * the approval message with the request id.
 */
async function requestInThread(
  harness: Harness,
  action: string,
  params: Record<string, unknown>,
): Promise<{ root: StoredMessage; approval: StoredMessage; requestId: string; outcome: string }> {
  const root = await harness.runAlert("consumer-lag");
  const incident = (await harness.store.listOpenIncidents())[0]!;
  const outcome = await harness.bot.service.requestAction({
    incidentId: incident.id,
    proposal: { action, params },
    userId: "U_ALICE",
  });
  expect(outcome.ok).toBe(true);
  const approval = await harness.waitForReply(root.ts, (m) => buttonOf(m, APPROVE_ACTION_ID) !== undefined);
  const requestId = buttonOf(approval, APPROVE_ACTION_ID)?.value;
  if (typeof requestId !== "string") throw new Error("no Approve button");
  return { root, approval, requestId, outcome: outcome.message };
}

/** `user` (U_BOB) approves; resolves with the approval message once its outcome replaced the buttons. */
async function approve(harness: Harness, approval: StoredMessage, user = "U_BOB"): Promise<StoredMessage> {
  await harness.emulator.clickButton(user, CHANNEL, approval.ts, APPROVE_ACTION_ID);
  const done = await harness.emulator.waitFor(
    (m) =>
      m.channel === CHANNEL &&
      m.ts === approval.ts &&
      buttonOf(m, APPROVE_ACTION_ID) === undefined &&
      /executed:|Failed:/.test(textOf(m)),
    WAIT_MS,
  );
  await harness.idle();
  return done;
}

async function auditOf(harness: Harness, requestId: string) {
  return (await harness.store.listAudit({ requestId })).map((e) => [e.kind, e.actor]);
}

const APPROVED_AND_DONE = [
  ["action.requested", "U_ALICE"],
  ["action.approved", "U_BOB"],
  ["action.executing", "bot"],
  ["action.succeeded", "bot"],
];

describe("rollback", () => {
  it("shows both revisions, and on approval sends one rollout-undo JSON patch", async () => {
    const harness = await start();
    const proposal = { namespace: "flink", deployment: "flink-taskmanager", toRevision: 2, fromRevision: 3 };
    const { root, approval, requestId, outcome } = await requestInThread(harness, "rollback", proposal);
    const preview =
      'rollback flink-taskmanager in flink: revision 3 (flink-job:1.4.3, "deploy 1.4.3") -> revision 2 (flink-job:1.4.2, "deploy 1.4.2")';
    expect(outcome).toBe(`Approval requested: ${preview}`);
    expect(textOf(approval)).toContain(":lock: Approval needed: *Roll back taskmanagers*");
    expect(textOf(approval)).toContain(preview.replaceAll(">", "&gt;"));
    expect(kubeWrites(harness)).toEqual([]);

    const done = await approve(harness, approval);
    expect(textOf(done)).toContain(
      "executed: flink-taskmanager in flink rolled back from revision 3 to revision 2 (flink-job:1.4.2)",
    );
    const writes = kubeWrites(harness);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({
      method: "PATCH",
      path: DEPLOYMENT_PATH,
      query: { fieldManager: "runbook-bot" },
      contentType: "application/json-patch+json",
    });
    const body = writes[0]?.body as { op: string; path: string; value: unknown }[];
    expect(body.map((op) => [op.op, op.path])).toEqual([
      ["replace", "/spec/template"],
      ["replace", "/metadata/annotations"],
    ]);
    expect(body[0]?.value).toMatchObject({
      spec: { containers: [{ name: "taskmanager", image: "flink-job:1.4.2" }] },
    });
    expect(body[1]?.value).toEqual({
      "deployment.kubernetes.io/revision": "3",
      "kubernetes.io/change-cause": "deploy 1.4.2",
    });
    expect(harness.kube.state.deployments[0]?.spec.template.spec.containers[0]?.image).toBe(
      "flink-job:1.4.2",
    );
    await harness.waitForReply(root.ts, (m) =>
      m.text.startsWith(
        ":white_check_mark: Done: flink-taskmanager in flink rolled back from revision 3 to revision 2",
      ),
    );
    expect(await auditOf(harness, requestId)).toEqual(APPROVED_AND_DONE);
    expect(await harness.store.getRequest(requestId)).toMatchObject({
      state: "succeeded",
      params: proposal,
      result: { ok: true, details: { fromRevision: 3, toRevision: 2, images: ["flink-job:1.4.2"] } },
    });
  });

  it("a deployment that moved since the request is not rolled back: the request fails with the reason", async () => {
    const harness = await start();
    const { approval, requestId } = await requestInThread(harness, "rollback", {
      namespace: "flink",
      deployment: "flink-taskmanager",
      toRevision: 2,
      fromRevision: 3,
    });
    // Someone deploys (a new pod template) before the approval: revision 4.
    const response = await fetch(`${harness.kube.url}${DEPLOYMENT_PATH}`, {
      method: "PATCH",
      headers: {
        authorization: `Bearer ${harness.kube.token}`,
        "content-type": "application/strategic-merge-patch+json",
      },
      body: JSON.stringify({
        spec: { template: { spec: { containers: [{ name: "taskmanager", image: "flink-job:1.4.4" }] } } },
      }),
    });
    expect(response.status).toBe(200);
    const before = kubeWrites(harness).length;
    const done = await approve(harness, approval);
    expect(textOf(done)).toContain("runs revision 4 now, not the revision 3 this request was computed from");
    expect(kubeWrites(harness)).toHaveLength(before);
    expect(harness.kube.state.deployments[0]?.spec.template.spec.containers[0]?.image).toBe(
      "flink-job:1.4.4",
    );
    expect(await auditOf(harness, requestId)).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.approved", "U_BOB"],
      ["action.executing", "bot"],
      ["action.failed", "bot"],
    ]);
  });
});

describe("restart-taskmanagers", () => {
  it("shows the pods it restarts, and on approval sends one restartedAt strategic merge patch", async () => {
    const harness = await start();
    const params = { namespace: "flink", deployment: "flink-taskmanager" };
    const { root, approval, requestId } = await requestInThread(harness, "restart-taskmanagers", params);
    expect(textOf(approval)).toContain(":lock: Approval needed: *Restart taskmanagers*");
    expect(textOf(approval)).toContain("rollout restart of flink-taskmanager (4 pods) in namespace flink");

    const done = await approve(harness, approval);
    const writes = kubeWrites(harness);
    expect(writes).toHaveLength(1);
    const restartedAt = (
      writes[0]!.body as { spec: { template: { metadata: { annotations: Record<string, string> } } } }
    ).spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"];
    expect(restartedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(writes[0]).toEqual({
      method: "PATCH",
      path: DEPLOYMENT_PATH,
      query: { fieldManager: "runbook-bot" },
      contentType: "application/strategic-merge-patch+json",
      body: {
        spec: {
          template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": restartedAt } } },
        },
      },
    });
    expect(textOf(done)).toContain(
      `executed: rollout restart of flink-taskmanager in namespace flink started (restartedAt ${restartedAt})`,
    );
    await harness.waitForReply(root.ts, (m) => m.text.startsWith(":white_check_mark: Done: rollout restart"));
    expect(await auditOf(harness, requestId)).toEqual(APPROVED_AND_DONE);
  });
});

describe("reboot-broker", () => {
  const region = "us-east-1";
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  let moto: MotoPeer;
  let standIn: MskStandIn;
  let seeder: KafkaClient;
  beforeAll(async () => {
    moto = await startMotoPeer();
    standIn = await startMskStandIn({ motoEndpoint: moto.endpoint, rebootMs: 60_000 });
    seeder = new KafkaClient({ region, endpoint: moto.endpoint, credentials });
  });
  afterAll(async () => {
    seeder?.destroy();
    await standIn?.stop();
    await moto?.stop();
  });

  it("names the broker, and on two approvals (critical) sends one RebootBroker for it; the operation ARN is recorded", async () => {
    const clusterArn = await createOrderProcessing(seeder, [
      "subnet-0e2e000000000001",
      "subnet-0e2e000000000002",
      "subnet-0e2e000000000003",
    ]);
    standIn.reset();
    const harness = await start({
      config: { msk: { clusterArn } },
      // Critical: two approvers other than the requester.
      approvers: ["U_ALICE", "U_BOB", "U_CAROL"],
      ports: {
        msk: createMsk({ region, endpoint: standIn.endpoint, credentials, requestTimeoutMs: 10_000 }),
      },
    });
    const { root, approval, requestId } = await requestInThread(harness, "reboot-broker", {
      clusterArn,
      brokerId: 2,
    });
    expect(textOf(approval)).toContain(":lock: Approval needed: *Reboot MSK broker*");
    expect(textOf(approval)).toMatch(
      /reboot MSK broker 2 of OrderProcessing \(b-2\.orderprocessing\.[a-z0-9]+\.c2\.kafka/,
    );
    expect(textOf(approval)).toContain("Risk: :red_circle: critical");
    expect(textOf(approval)).toContain("Approvals: 0 of 2");
    expect(standIn.requestsFor("RebootBroker")).toEqual([]);

    // The first approval is recorded, the message counts it, nothing runs yet.
    await harness.emulator.clickButton("U_BOB", CHANNEL, approval.ts, APPROVE_ACTION_ID);
    await harness.emulator.waitFor(
      (m) => m.channel === CHANNEL && m.ts === approval.ts && textOf(m).includes("Approvals: 1 of 2"),
      WAIT_MS,
    );
    await harness.idle();
    expect(standIn.requestsFor("RebootBroker")).toEqual([]);

    const done = await approve(harness, approval, "U_CAROL");
    const reboots = standIn.requestsFor("RebootBroker");
    expect(reboots).toHaveLength(1);
    expect(reboots[0]).toMatchObject({
      method: "PUT",
      path: `/v1/clusters/${clusterArn}/reboot-broker`,
      contentType: "application/json",
      answeredBy: "standin",
    });
    expect(JSON.parse(reboots[0]?.body ?? "")).toEqual({ brokerIds: ["2"] });
    const request = await harness.store.getRequest(requestId);
    const details = (request?.result as { details?: { operationArn?: string } } | null)?.details;
    expect(details?.operationArn).toMatch(
      /^arn:aws:kafka:us-east-1:\d{12}:cluster-operation\/OrderProcessing\//,
    );
    expect(textOf(done)).toContain(
      `executed: reboot of MSK broker 2 started: operation ${details?.operationArn} is UPDATE_IN_PROGRESS`,
    );
    await harness.waitForReply(root.ts, (m) =>
      m.text.startsWith(":white_check_mark: Done: reboot of MSK broker 2"),
    );
    expect(await auditOf(harness, requestId)).toEqual([
      ["action.requested", "U_ALICE"],
      ["action.approval-recorded", "U_BOB"],
      ["action.approved", "U_CAROL"],
      ["action.executing", "bot"],
      ["action.succeeded", "bot"],
    ]);
    expect(request).toMatchObject({ state: "succeeded", params: { clusterArn, brokerId: 2 } });
    expect(request?.approvals.map((a) => a.by)).toEqual(["U_BOB", "U_CAROL"]);
  });
});
