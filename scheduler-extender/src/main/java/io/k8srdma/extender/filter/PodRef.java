package io.k8srdma.extender.filter;

import io.k8srdma.extender.api.BadRequestException;
import io.k8srdma.model.extender.ExtenderArgs;

/** A pod's identity for logs and the ledger. */
public record PodRef(String namespace, String name, String uid) {

  /** The pod of extender arguments; 400 when there is none. */
  public static PodRef of(ExtenderArgs args) {
    if (args == null || args.pod() == null || args.pod().getMetadata() == null) {
      throw new BadRequestException("ExtenderArgs.pod with metadata is required");
    }
    var meta = args.pod().getMetadata();
    String uid = meta.getUid() != null ? meta.getUid() : meta.getNamespace() + "/" + meta.getName();
    return new PodRef(meta.getNamespace(), meta.getName(), uid);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
