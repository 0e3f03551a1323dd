package io.k8srdma.agent.init;

import java.util.List;

/**
 * What one {@code init} run did.
 *
 * @param actions one line per PF handled (changed, or already as asked)
 * @param failures one line per PF or policy that is not as asked
 */
public record InitReport(List<String> actions, List<String> failures) {

  public InitReport {
    actions = List.copyOf(actions);
    failures = List.copyOf(failures);
  }

  /** True when every selected PF is as asked. */
  public boolean succeeded() {
    return failures.isEmpty();
  }

  /** The process exit code: 0 on success, 1 otherwise. */
  public int exitCode() {
    return succeeded() ? 0 : 1;
  }
}
