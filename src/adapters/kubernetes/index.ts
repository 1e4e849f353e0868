export { createKubernetes, DEFAULT_REQUEST_TIMEOUT_MS, type KubernetesOptions } from "./create-kubernetes.ts";
export { KubernetesError, type KubernetesErrorCode } from "./kube-errors.ts";
export { parseCpuMillicores, parseMemoryBytes, parseQuantity, QuantityError } from "./quantity.ts";
