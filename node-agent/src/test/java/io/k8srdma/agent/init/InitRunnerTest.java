package io.k8srdma.agent.init;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.agent.discovery.HostScanner;
import io.k8srdma.agent.discovery.Sysfs;
import io.k8srdma.agent.netlink.VfLinkInfoSource;
import io.k8srdma.agent.testhost.Hosts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.DefaultApplicationArguments;

/** The runner Spring calls in init mode: its exit code and failure lines. */
class InitRunnerTest {

  @TempDir Path root;

  @Test
  void exitsZeroWhenEveryPfIsAsAsked() {
    Hosts.ibNdr(root);

    InitRunner runner = runner(new VfPolicy(null, null, "15b3", "1021", null, "4"));

    assertThat(runner.getExitCode()).isZero();
    assertThat(runner.report().actions())
        .containsExactly(
            "PF ibp26s0 (0000:1a:00.0): already has 4 VFs",
            "PF ibp60s0 (0000:3c:00.0): already has 4 VFs");
  }

  @Test
  void exitsOneWithOneLinePerFailure() {
    Hosts.mixedNics(root);

    InitRunner runner =
        runner(
            new VfPolicy("enp129s0f0np0", null, null, null, null, "4"),
            new VfPolicy(null, null, null, null, "InfiniBand", "max"));

    assertThat(runner.getExitCode()).isEqualTo(1);
    assertThat(runner.report().failures())
        .containsExactly(
            "policy #1 (link-layer=InfiniBand) matched no PF",
            "PF enp129s0f0np0 (0000:81:00.0): SR-IOV is disabled (no sriov_numvfs;"
                + " enable SRIOV_EN in firmware)");
  }

  @Test
  void exitsOneWhenTheRunNeverFinished() {
    InitRunner runner =
        new InitRunner(
            null,
            new InitProperties(List.of(), Duration.ofSeconds(1), Duration.ofMillis(1), false));

    assertThat(runner.getExitCode()).isEqualTo(1);
  }

  private InitRunner runner(VfPolicy... policies) {
    InitProperties props =
        new InitProperties(List.of(policies), Duration.ofSeconds(1), Duration.ofMillis(10), false);
    Sysfs sysfs = new Sysfs(root);
    SriovWriter refuse =
        (file, n) -> {
          throw new AssertionError("no write expected, got " + n + " to " + file);
        };
    InitRunner runner =
        new InitRunner(
            new VfPolicyApplier(
                new HostScanner(sysfs, VfLinkInfoSource.none()),
                new PfSriovConfigurer(
                    sysfs, refuse, props.vfTimeout(), props.pollInterval(), false)),
            props);
    runner.run(new DefaultApplicationArguments());
    return runner;
  }
}
