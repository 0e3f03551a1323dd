package io.k8srdma.extender.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrorAnswersTest {

  @Test
  void aLoggedErrorStaysOneLineWhateverTheClientSent() {
    String forged =
        "bad annotation 'x\n2026-11-27 INFO extender: bound ml/p to node-a\r\u2028\u0007'";

    String logged = ErrorAnswers.forLog(forged);

    assertThat(logged)
        .doesNotContain("\n", "\r", "\u2028", "\u0007")
        .isEqualTo(
            "bad annotation 'x\\n2026-11-27 INFO extender: bound ml/p to node-a\\r\\u2028\\u0007'");
    assertThat(ErrorAnswers.forLog("plain ünïcode, tabs\tstay"))
        .isEqualTo("plain ünïcode, tabs\\u0009stay");
  }
}
