package io.k8srdma.model.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.model.inventory.PciAddress;
import io.k8srdma.model.testing.Fuzz;
import io.k8srdma.model.testing.JsonMutator;
import io.k8srdma.model.testing.JsonMutator.Mutant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutations of a valid {@code k8s-rdma.io/assignment} annotation fed to {@link
 * AssignmentCodec}: the ledger is rebuilt from these annotations, so a corrupt one must come out as
 * an {@link InvalidAssignmentException} naming the field (the pod is reported and the others are
 * still read), and an accepted one must be what {@link AssignmentCodec#encode} would write.
 */
class AssignmentCodecFuzzTest {

  private static final String VALID =
      """
      {"node": "worker-7", "interfaces": [
        {"name": "net1", "pf": "0000:1a:00.0", "vf": "0000:1a:00.3",
         "minTxRateMbps": 25000, "maxTxRateMbps": 50000},
        {"name": "net2", "pf": "0000:3C:00.0", "vf": "0000:3c:00.4",
         "minTxRateMbps": 0, "maxTxRateMbps": 0, "future": null}],
       "written": "2026-11-24T10:00:00Z"}""";

  private static final Pattern NAMES_THE_FIELD =
      Pattern.compile(
          "^k8s-rdma\\.io/assignment(\\.node|\\.interfaces(\\[\\d+\\](\\.[A-Za-z]+)?)?)?: \\S.*",
          Pattern.DOTALL);

  /** As for requests: a pod's error is logged and reported, so it stays short. */
  private static final int MAX_MESSAGE = 512;

  private final Fuzz.Tally tally = new Fuzz.Tally();

  @Test
  void mutatedAssignmentsAreReadOrRefusedNamingTheField() {
    Fuzz.run(
        "k8s-rdma.io/assignment",
        Fuzz.seed(7),
        Fuzz.iterations(2000),
        random -> new JsonMutator(random).mutate(VALID),
        this::check);
    tally.assertEachAtLeast(2);
  }

  @Test
  void everyTruncationIsRefusedNamingTheAnnotation() {
    for (Mutant m : JsonMutator.truncations(VALID)) {
      Fuzz.run("truncated assignment", 0, 1, random -> m, this::check);
    }
  }

  private void check(Mutant input) throws InvalidAssignmentException {
    Assignment a;
    try {
      a = AssignmentCodec.decode(input.text());
    } catch (InvalidAssignmentException e) {
      assertThat(e.getMessage()).matches(NAMES_THE_FIELD);
      assertThat(e.getMessage().length()).as(e.getMessage()).isLessThanOrEqualTo(MAX_MESSAGE);
      assertThat(AssignmentCodec.readIfValid(Map.of("k8s-rdma.io/assignment", input.text())))
          .isEmpty();
      tally.refused();
      return;
    }
    tally.accepted();
    assertThat(a.node()).isNotBlank();
    assertThat(a.interfaces()).isNotEmpty();
    Set<String> names = new HashSet<>();
    Set<String> vfs = new HashSet<>();
    for (AssignedInterface i : a.interfaces()) {
      assertThat(i.name()).isNotBlank();
      assertThat(names.add(i.name())).as("distinct name %s", i.name()).isTrue();
      assertThat(PciAddress.isValid(i.pf())).as(i.pf()).isTrue();
      assertThat(PciAddress.isValid(i.vf())).as(i.vf()).isTrue();
      assertThat(i.pf()).isEqualTo(PciAddress.normalize(i.pf()));
      assertThat(i.vf()).isEqualTo(PciAddress.normalize(i.vf())).isNotEqualTo(i.pf());
      assertThat(vfs.add(i.vf())).as("distinct VF %s", i.vf()).isTrue();
      assertThat(i.minTxRateMbps()).isBetween(0L, 10_000_000L);
      assertThat(i.maxTxRateMbps()).isBetween(0L, 10_000_000L);
      assertThat(i.maxTxRateMbps() == 0 || i.maxTxRateMbps() >= i.minTxRateMbps()).isTrue();
    }
    // What the ledger read back, bind could have written: encode accepts it and reads the same.
    assertThat(AssignmentCodec.decode(AssignmentCodec.encode(a))).isEqualTo(a);
  }
}
