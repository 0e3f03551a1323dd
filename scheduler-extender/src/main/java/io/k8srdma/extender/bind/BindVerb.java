package io.k8srdma.extender.bind;

import io.k8srdma.extender.api.VerbMetrics;
import io.k8srdma.model.extender.ExtenderBindingArgs;
import io.k8srdma.model.extender.ExtenderBindingResult;
import org.springframework.stereotype.Component;

/**
 * kube-scheduler's bind verb, served at {@code k8s-rdma.extender.verbs.bind} by {@link
 * io.k8srdma.extender.api.VerbServlet}.
 */
@Component
public class BindVerb {

  private final BindService binder;
  private final VerbMetrics metrics;

  public BindVerb(BindService binder, VerbMetrics metrics) {
    this.binder = binder;
    this.metrics = metrics;
  }

  /**
   * Binds the pod to the node the scheduler chose: picks the VFs, writes them to the pod as {@code
   * k8s-rdma.io/assignment} (optimistic concurrency on the pod's resourceVersion), then creates the
   * {@code pods/binding}, or sends the assignment on the Binding in one call with {@code
   * bind.write-assignment=with-binding}. Answers {@code {}} on success and {@code {"error": "..."}}
   * otherwise; a failure leaves neither annotation nor reservation behind.
   */
  public ExtenderBindingResult bind(ExtenderBindingArgs args) {
    ExtenderBindingResult result = metrics.time("bind", () -> binder.bind(args));
    metrics.bindResult(result.error() == null);
    return result;
  }
}
