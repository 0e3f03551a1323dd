package io.k8srdma.bench.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class EnvironmentTest {

  @Test
  void theLoopDoesTheSameWorkEveryTime() {
    // Its result depends on every step, so the JIT cannot shorten it, and it never changes.
    assertThat(Environment.loop(1 << 10)).isEqualTo(Environment.loop(1 << 10));
    assertThat(Environment.loop(1 << 10)).isNotEqualTo(Environment.loop((1 << 10) + 1));
  }

  @Test
  void loadAndSpeedNameTheLoadAveragesAndTheLoopTime() {
    assertThat(Environment.loadAndSpeed()).matches("\\S+ \\S+ \\S+ \\(loop \\d+ ms\\)");
    assertThat(Environment.loopMillis()).isPositive();
  }

  @Test
  void theLoopIsAlsoTimedOnOtherCpusInAJvmOfItsOwn() {
    // CPU 0 exists on every machine; the child JVM prints its median and exits.
    OptionalDouble child = Environment.loopMillisOn("0");
    assertThat(child).isPresent();
    assertThat(child.getAsDouble()).isPositive();
    assertThat(Environment.loadAndSpeed("0"))
        .matches("\\S+ \\S+ \\S+ \\(loop \\d+ ms; \\d+ ms on CPU 0\\)");
    assertThat(Environment.loadAndSpeed("")).matches("\\S+ \\S+ \\S+ \\(loop \\d+ ms\\)");
  }
}
