export { parseCpuMillicores, parseMemoryBytes, parseQuantity, QuantityError } from "../../core/quantity.ts";
export { createKubernetes, DEFAULT_REQUEST_TIMEOUT_MS, type KubernetesOptions } from "./create-kubernetes.ts";
export { KubernetesError, type KubernetesErrorCode } from "./kube-errors.ts";
