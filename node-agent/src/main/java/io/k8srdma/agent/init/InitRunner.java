package io.k8srdma.agent.init;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;

/**
 * What Spring runs in {@code init} mode: applies the policies once, logs one line per failure and
 * holds the exit code that {@code main} passes to {@link System#exit}.
 */
public class InitRunner implements ApplicationRunner, ExitCodeGenerator {

  private static final Logger log = LoggerFactory.getLogger(InitRunner.class);

  private final VfPolicyApplier applier;
  private final List<VfPolicy> policies;
  private volatile InitReport report;

  public InitRunner(VfPolicyApplier applier, InitProperties props) {
    this.applier = applier;
    this.policies = props.policies();
  }

  @Override
  public void run(ApplicationArguments args) {
    if (policies.isEmpty()) {
      log.warn("no k8s-rdma.agent.init.policies configured; nothing to do");
    }
    InitReport result = applier.apply(policies);
    result.failures().forEach(log::error);
    log.info(
        "init {}: {} PF(s) as asked, {} failure(s)",
        result.succeeded() ? "succeeded" : "failed",
        result.actions().size(),
        result.failures().size());
    report = result;
  }

  /** The report of the run, or null before {@link #run} finished. */
  public InitReport report() {
    return report;
  }

  /** 0 when every selected PF is as asked; 1 otherwise, including when the run never finished. */
  @Override
  public int getExitCode() {
    InitReport r = report;
    return r == null ? 1 : r.exitCode();
  }
}
