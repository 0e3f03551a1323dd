package io.k8srdma.extender.bind;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Optional;

/**
 * Pods as an informer last saw them. Bind starts from this copy, as kube-scheduler binds from its
 * own cache, and reads the pod from the API only when the copy turns out to be stale.
 */
@FunctionalInterface
public interface PodCache {

  /** A cache that knows no pod: every bind reads the pod from the API. */
  PodCache NONE = (namespace, name) -> Optional.empty();

  /**
   * The pod {@code namespace/name}, if the cache has it. It may hold only the pod's {@link
   * io.k8srdma.model.PodEssentials}, which is all bind reads of it. The caller must not modify it.
   */
  Optional<Pod> cached(String namespace, String name);
}
