package io.k8srdma.model;

import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.WatchEvent;
import io.k8srdma.model.request.PodRequestCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts of a pod that k8s-rdma decides on, for caches that hold many pods: a decoded pod of a
 * training job takes ~20 KB of heap (5 times its JSON), and a cluster of thousands of nodes has
 * tens of thousands of pods, most of whose fields no k8s-rdma component reads.
 *
 * <p>Kept: the name, namespace, UID, resourceVersion and annotations (the request, {@link
 * io.k8srdma.model.request.PodRequestCodec}, and the decision, {@link
 * io.k8srdma.model.assignment.AssignmentCodec}); the name of each container and init container with
 * its {@code k8s-rdma.io/vf} request and limit; the node name and the phase. Everything else is
 * dropped, {@code metadata.managedFields} first among it, as kube-scheduler drops that from its own
 * pod cache. A component that starts to read another field of a cached pod must add it here, and to
 * {@link PodEssentialsDeserializer}, which reads a pod's JSON straight into the same essentials.
 */
public final class PodEssentials {

  private PodEssentials() {}

  /**
   * Reduces {@code pod} in place to its essentials and returns it. Idempotent, as an informer may
   * hand the same object over again.
   */
  public static Pod trim(Pod pod) {
    if (pod.getAdditionalProperties() != null) {
      pod.getAdditionalProperties().clear();
    }
    if (pod.getMetadata() != null) {
      pod.setMetadata(metadata(pod.getMetadata()));
    }
    if (pod.getSpec() != null) {
      pod.setSpec(spec(pod.getSpec()));
    }
    if (pod.getStatus() != null) {
      PodStatus status = new PodStatus();
      status.setPhase(pod.getStatus().getPhase());
      pod.setStatus(status);
    }
    return pod;
  }

  /**
   * A Jackson module that decodes every {@link Pod} straight to its essentials ({@link
   * PodEssentialsDeserializer}), in watch events too ({@link WatchEventDeserializer}), for a mapper
   * (such as a Kubernetes client's) whose pods are only read, never written back whole: a pod
   * written back from its essentials would lose the rest.
   */
  public static Module module() {
    return new SimpleModule("k8s-rdma-pod-essentials")
        .addDeserializer(Pod.class, new PodEssentialsDeserializer())
        .addDeserializer(WatchEvent.class, new WatchEventDeserializer());
  }

  private static ObjectMeta metadata(ObjectMeta full) {
    ObjectMeta kept = new ObjectMeta();
    kept.setName(full.getName());
    kept.setNamespace(full.getNamespace());
    kept.setUid(full.getUid());
    kept.setResourceVersion(full.getResourceVersion());
    kept.setAnnotations(full.getAnnotations());
    return kept;
  }

  private static PodSpec spec(PodSpec full) {
    PodSpec kept = new PodSpec();
    kept.setNodeName(full.getNodeName());
    kept.setContainers(namesAndResources(full.getContainers()));
    kept.setInitContainers(namesAndResources(full.getInitContainers()));
    return kept;
  }

  private static List<Container> namesAndResources(List<Container> containers) {
    if (containers == null) {
      return null;
    }
    List<Container> kept = new ArrayList<>(containers.size());
    for (Container full : containers) {
      if (full == null) {
        continue;
      }
      Container c = new Container();
      c.setName(full.getName());
      c.setResources(vfOnly(full.getResources()));
      kept.add(c);
    }
    return kept;
  }

  private static ResourceRequirements vfOnly(ResourceRequirements full) {
    if (full == null) {
      return null;
    }
    ResourceRequirements kept = new ResourceRequirements();
    kept.setRequests(vfOnly(full.getRequests()));
    kept.setLimits(vfOnly(full.getLimits()));
    return kept;
  }

  private static Map<String, Quantity> vfOnly(Map<String, Quantity> quantities) {
    Quantity vfs = quantities == null ? null : quantities.get(PodRequestCodec.VF_RESOURCE);
    return vfs == null ? null : Map.of(PodRequestCodec.VF_RESOURCE, vfs);
  }
}
