package io.k8srdma.extender.bind;

import io.k8srdma.extender.api.VerbMetrics;
import io.k8srdma.model.extender.ExtenderBindingArgs;
import io.k8srdma.model.extender.ExtenderBindingResult;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** kube-scheduler's bind verb. */
@RestController
public class BindController {

  private final BindService binder;
  private final VerbMetrics metrics;

  public BindController(BindService binder, VerbMetrics metrics) {
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
  @PostMapping(
      path = "${k8s-rdma.extender.verbs.bind:/bind}",
      consumes = "application/json",
      produces = "application/json")
  public ExtenderBindingResult bind(@RequestBody ExtenderBindingArgs args) {
    ExtenderBindingResult result = metrics.time("bind", () -> binder.bind(args));
    metrics.bindResult(result.error() == null);
    return result;
  }
}
