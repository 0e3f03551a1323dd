package io.k8srdma.bench.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.k8srdma.bench.support.Options;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AbResultTest {

  private final ExtenderComparison.Variant a =
      new ExtenderComparison.Variant("main", Path.of("a.jar"), List.of());
  private final ExtenderComparison.Variant b =
      new ExtenderComparison.Variant("patch", Path.of("b.jar"), List.of("-XX:+UseParallelGC"));

  /** Two rounds; A idles at 0.1 cores, B at none. */
  private AbResult result() {
    return new AbResult(
        5000,
        500,
        a,
        b,
        0.1,
        0.0,
        List.of(
            new AbResult.Slice("main", 0, 300, 3, 1.5, 1000, 9000, 0, 300 * 1024 * 10.0, 0.3),
            new AbResult.Slice("patch", 0, 300, 2, 1.0, 800, 7000, 0, 300 * 1024 * 10.0, 0.3),
            new AbResult.Slice("patch", 1, 300, 3, 1.8, 1200, 11000, 1, 300 * 1024 * 10.0, 0.3),
            new AbResult.Slice("main", 1, 300, 2, 1.2, 900, 8000, 0, 300 * 1024 * 10.0, 0.3)),
        0);
  }

  @Test
  void totalsAddUpSlicesAndSubtractPollingFromCpu() {
    AbResult.Totals main = result().totals(a);
    assertThat(main.cycles()).isEqualTo(600);
    assertThat(main.cyclesPerSecond()).isCloseTo(120, within(1e-9));
    // (1.5 - 0.1 * 3) + (1.2 - 0.1 * 2) = 2.2 s over 600 cycles
    assertThat(main.cpuMillisPerCycle()).isCloseTo(2.2 / 600 * 1000, within(1e-9));
    assertThat(main.medianP50Micros()).isEqualTo(950);
    assertThat(main.medianP99Micros()).isEqualTo(8500);
    assertThat(main.allocatedKibPerCycle()).as("10 KiB per cycle in each slice").isEqualTo(10.0);
    assertThat(main.jitMillisPerCycle()).isCloseTo(0.6 / 600 * 1000, within(1e-9));

    AbResult.Totals patch = result().totals(b);
    assertThat(patch.cpuMillisPerCycle()).isCloseTo(2.8 / 600 * 1000, within(1e-9));
    assertThat(patch.bindErrors()).isEqualTo(1);
  }

  @Test
  void ratiosArePairedByBlocksOfTwoRounds() {
    // Block 1 (rounds 1-2): A 600 cycles in 5 s = 120/s, B 600 in 5 s = 120/s.
    AbResult.Ratio throughput = result().throughputRatio();
    assertThat(throughput.blocks()).isEqualTo(1);
    assertThat(throughput.median()).isCloseTo(1.0, within(1e-9));
    assertThat(throughput.bBetter()).isZero();

    // A: 2.2 s net over 600 cycles; B: 2.8 s over 600.
    AbResult.Ratio cpu = result().cpuRatio();
    assertThat(cpu.median()).isCloseTo(2.8 / 2.2, within(1e-9));
    assertThat(cpu.min()).isEqualTo(cpu.max()).isEqualTo(cpu.median());
    assertThat(cpu.bBetter()).as("lower CPU is better").isZero();
  }

  @Test
  void anUnpairedLastRoundIsLeftOutOfTheRatios() {
    AbResult r = result();
    List<AbResult.Slice> slices = new java.util.ArrayList<>(r.slices());
    slices.add(new AbResult.Slice("main", 2, 300, 1, 0.1, 1, 1, 0, 300 * 1024 * 10.0, 0.3));
    slices.add(new AbResult.Slice("patch", 2, 300, 10, 9.0, 1, 1, 0, 300 * 1024 * 10.0, 0.3));
    AbResult odd = new AbResult(5000, 500, a, b, r.idleCoresA(), r.idleCoresB(), slices, 0);
    assertThat(odd.cpuRatio().blocks()).isEqualTo(1);
    assertThat(odd.cpuRatio().median()).isCloseTo(2.8 / 2.2, within(1e-9));
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(AbResult.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(AbResult.median(List.of(4.0, 1.0, 3.0, 2.0))).isEqualTo(2.5);
    assertThat(AbResult.median(List.of())).isNaN();
  }

  @Test
  void theReportNamesBothVariantsAndEveryRound() {
    String md = AbReport.render(result(), "- machine\n", "- settings\n");
    assertThat(md)
        .contains("main vs patch")
        .contains("| main | `a.jar` | `(none)` | 600 | 120 |")
        .contains("`-XX:+UseParallelGC`")
        .contains("B lower in 0 of 1 blocks")
        .contains("| 1 (A first) | 100 | 150 |")
        .contains("| 2 (B first) | 150 | 100 |");
  }

  @Test
  void eachVariantTakesItsOwnOrTheSharedFlagsThenItsExtraOnes() {
    Options opts =
        Options.parse(
            new String[] {
              "--jvm-flags=-Xmx768m -XX:+UseParallelGC",
              "--b-flags=-Xmx1g",
              "--a-extra-flags=-Dx=1 -Xlog:gc:file=a.log"
            });

    assertThat(ExtenderComparison.variantFlags(opts, "a"))
        .containsExactly("-Xmx768m", "-XX:+UseParallelGC", "-Dx=1", "-Xlog:gc:file=a.log");
    assertThat(ExtenderComparison.variantFlags(opts, "b")).containsExactly("-Xmx1g");
    assertThat(ExtenderComparison.variantFlags(Options.parse(new String[0]), "a")).isEmpty();
  }
}
