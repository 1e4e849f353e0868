/**
 * The Flink Kubernetes Operator's FlinkDeployment CRD (flink.apache.org/v1beta1), installed on the
 * real control plane for operator mode. Names, scope, printer columns and subresources are copied
 * from the operator's own CRD (apache/flink-kubernetes-operator,
 * helm/flink-kubernetes-operator/crds/flinkdeployments.flink.apache.org-v1.yml): the scale
 * subresource maps .spec.taskManager.replicas / .status.taskManager.replicas /
 * .status.taskManager.labelSelector, and status is a subresource. The schema is trimmed: the few
 * fields the bot reads or writes are typed, the rest is x-kubernetes-preserve-unknown-fields.
 * No operator runs: nothing reconciles a FlinkDeployment here; tests write its status themselves.
 */
import { eventually, type KubeEndpoint, kube, kubeFetch } from "./kube-rest.ts";

export const FLINK_CRD_NAME = "flinkdeployments.flink.apache.org";

const preserve = { type: "object", "x-kubernetes-preserve-unknown-fields": true };

export const FLINK_DEPLOYMENT_CRD = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: FLINK_CRD_NAME },
  spec: {
    group: "flink.apache.org",
    names: {
      kind: "FlinkDeployment",
      plural: "flinkdeployments",
      shortNames: ["flinkdep"],
      singular: "flinkdeployment",
    },
    scope: "Namespaced",
    versions: [
      {
        name: "v1beta1",
        served: true,
        storage: true,
        additionalPrinterColumns: [
          {
            description: "Last observed state of the job.",
            jsonPath: ".status.jobStatus.state",
            name: "Job Status",
            priority: 0,
            type: "string",
          },
          {
            description: "Lifecycle state of the Flink resource (including being rolled back, failed etc.).",
            jsonPath: ".status.lifecycleState",
            name: "Lifecycle State",
            priority: 0,
            type: "string",
          },
        ],
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                ...preserve,
                properties: {
                  image: { type: "string" },
                  restartNonce: { type: "integer" },
                  taskManager: {
                    ...preserve,
                    properties: {
                      replicas: { type: "integer" },
                      resource: {
                        type: "object",
                        properties: {
                          cpu: { type: "number" },
                          memory: { type: "string" },
                          ephemeralStorage: { type: "string" },
                        },
                      },
                    },
                  },
                },
              },
              status: {
                ...preserve,
                properties: {
                  taskManager: {
                    type: "object",
                    properties: { labelSelector: { type: "string" }, replicas: { type: "integer" } },
                  },
                },
              },
            },
          },
        },
        subresources: {
          scale: {
            labelSelectorPath: ".status.taskManager.labelSelector",
            specReplicasPath: ".spec.taskManager.replicas",
            statusReplicasPath: ".status.taskManager.replicas",
          },
          status: {},
        },
      },
    ],
  },
};

/** Installs the CRD unless present, and waits until the API serves it. */
export async function installFlinkDeploymentCrd(peer: KubeEndpoint): Promise<void> {
  const answer = await kubeFetch(
    peer,
    "POST",
    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    FLINK_DEPLOYMENT_CRD,
  );
  if (answer.status !== 201 && answer.status !== 409) {
    throw new Error(`install the FlinkDeployment CRD: ${answer.status} ${answer.text}`);
  }
  await eventually("the FlinkDeployment CRD to be Established", async () => {
    const crd = await kube<{ status?: { conditions?: { type: string; status: string }[] } }>(
      peer,
      "GET",
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${FLINK_CRD_NAME}`,
    );
    const established = crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True");
    return established ? true : undefined;
  });
  await eventually("flink.apache.org/v1beta1 in discovery", async () =>
    (await kubeFetch(peer, "GET", "/apis/flink.apache.org/v1beta1")).status === 200 ? true : undefined,
  );
}
