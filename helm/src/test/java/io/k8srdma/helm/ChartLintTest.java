package io.k8srdma.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import io.k8srdma.charttest.HelmChart;
import org.junit.jupiter.api.Test;

class ChartLintTest {

  @Test
  void lintPasses() {
    LintResult result = HelmChart.helm().lint().call();

    assertThat(result.isFailed()).as("helm lint: %s", result.getMessages()).isFalse();
  }

  @Test
  void strictLintPassesWithoutWarnings() {
    LintResult result = HelmChart.helm().lint().strict().call();

    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }
}
