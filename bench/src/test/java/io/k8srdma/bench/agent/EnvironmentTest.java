package io.k8srdma.bench.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EnvironmentTest {

  private static final String SPEED = "loop \\d+ ms, walk \\d+ ms";

  @Test
  void theLoopDoesTheSameWorkEveryTime() {
    // Its result depends on every step, so the JIT cannot shorten it, and it never changes.
    assertThat(Environment.loop(1 << 10)).isEqualTo(Environment.loop(1 << 10));
    assertThat(Environment.loop(1 << 10)).isNotEqualTo(Environment.loop((1 << 10) + 1));
  }

  @Test
  void theWalkVisitsEveryEntryOnceAroundOneCycle() {
    int n = 1000;
    int[] next = Environment.cycle(n, 42);
    Set<Integer> seen = new HashSet<>();
    int at = 0;
    for (int i = 0; i < n; i++) {
      assertThat(seen.add(at)).as("entry %d seen twice", at).isTrue();
      at = next[at];
    }
    assertThat(at).isZero();
    assertThat(Environment.walk(next, n)).isZero();
    assertThat(Environment.walk(next, 1)).isNotZero();
  }

  @Test
  void loadAndSpeedNameTheLoadAveragesAndTheTimes() {
    assertThat(Environment.loadAndSpeed()).matches("\\S+ \\S+ \\S+ \\(" + SPEED + "\\)");
    Environment.Speed speed = Environment.speed();
    assertThat(speed.loopMillis()).isPositive();
    assertThat(speed.walkMillis()).isPositive();
  }

  @Test
  void theSpeedIsAlsoMeasuredOnOtherCpusInAJvmOfItsOwn() {
    // CPU 0 exists on every machine; the child JVM prints its two medians and exits.
    Optional<Environment.Speed> child = Environment.speedOn("0");
    assertThat(child).isPresent();
    assertThat(child.get().walkMillis()).isPositive();
    assertThat(Environment.loadAndSpeed("0"))
        .matches("\\S+ \\S+ \\S+ \\(" + SPEED + "; " + SPEED + " on CPU 0\\)");
  }
}
