package io.k8srdma.model.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.inventory.LinkLayer;
import io.k8srdma.model.json.JsonFields;
import io.k8srdma.model.testing.Fuzz;
import io.k8srdma.model.testing.JsonMutator;
import io.k8srdma.model.testing.JsonMutator.Mutant;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutations of valid requests ({@link JsonMutator}) fed to {@link PodRequestCodec}: the only
 * failure it may report is an {@link InvalidRequestException} naming the annotation and field (the
 * extender turns it into the pod's scheduling failure), and whatever it accepts must obey the rules
 * the codec documents, since placement relies on them without checking again.
 */
class PodRequestCodecFuzzTest {

  private static final String K8S_RDMA =
      """
      [{"name": "net1", "minTxRateMbps": 25000, "maxTxRateMbps": 50000, "linkLayer": "InfiniBand",
        "pf": "0000:1a:00.0", "numaNode": 0},
       {"name": "data.2", "minTxRateMbps": 0, "linkLayer": "RoCE", "pf": "ibp26s0"},
       {"minTxRateMbps": 100000, "maxTxRateMbps": 0, "numaNode": 1, "future": {"x": [1]}}]""";

  private static final String RIT =
      """
      [{"min_tx_rate": 15000, "max_tx_rate": 20000}, {"Min_Tx_Rate": 5000}, {}]""";

  /**
   * An error names where it is: the annotation (or the resource), an entry and a field, then a
   * colon and what is wrong.
   */
  private static final Pattern NAMES_THE_FIELD =
      Pattern.compile(
          "^(k8s-rdma\\.io/interfaces|rdma_interfaces_required)(\\[\\d+\\](\\.[A-Za-z_]+)?)?: \\S.*"
              + "|^k8s-rdma\\.io/vf: \\S.*",
          Pattern.DOTALL);

  private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");

  /**
   * The longest error accepted: filter repeats a pod's error once per candidate node, which is why
   * the codec cuts quoted values.
   */
  private static final int MAX_MESSAGE = 512;

  /** A mutated annotation under one of the two keys, with the pod's VF count. */
  record Input(String key, Integer vfCount, Mutant mutant) implements Fuzz.Described {
    @Override
    public String description() {
      return mutant.description() + " (annotation " + key + ", " + vfCount + " VFs requested)";
    }

    @Override
    public byte[] bytes() {
      return mutant.bytes();
    }

    Map<String, String> annotations() {
      Map<String, String> a = new HashMap<>();
      a.put(key, mutant.text());
      return a;
    }
  }

  private final Fuzz.Tally tally = new Fuzz.Tally();

  @Test
  void mutatedK8sRdmaAnnotationsAreReadOrRefusedNamingTheField() {
    Fuzz.run(
        "k8s-rdma.io/interfaces",
        Fuzz.seed(20261124),
        Fuzz.iterations(2000),
        random -> input(random, Annotations.INTERFACES, K8S_RDMA),
        this::check);
    tally.assertEachAtLeast(5);
  }

  @Test
  void mutatedRitAnnotationsAreReadOrRefusedNamingTheField() {
    Fuzz.run(
        "rdma_interfaces_required",
        Fuzz.seed(54005),
        Fuzz.iterations(1500),
        random -> input(random, Annotations.RIT_INTERFACES, RIT),
        this::check);
    tally.assertEachAtLeast(5);
  }

  @Test
  void everyTruncationIsRefusedNamingTheAnnotation() throws Exception {
    for (String valid : List.of(K8S_RDMA, RIT)) {
      String key = valid == RIT ? Annotations.RIT_INTERFACES : Annotations.INTERFACES;
      for (Mutant m : JsonMutator.truncations(valid)) {
        Input input = new Input(key, null, m);
        Fuzz.run("truncated " + key, 0, 1, random -> input, this::check);
      }
    }
  }

  @Test
  void oddVfQuantitiesAreCountedOrRefusedNamingTheContainer() {
    List<String> quantities =
        List.of(
            "1",
            "3",
            "0",
            "-1",
            "1.5",
            "0.5",
            "1e400",
            "1e2147483648",
            "1E-400",
            "9223372036854775808",
            "9223372036854775807",
            "33",
            "1Ei",
            "1k",
            "2000m",
            "1000m",
            "0.000000001",
            "+1",
            ".5",
            "1e",
            "e1",
            "NaN",
            "Infinity",
            "",
            " ",
            "1 ",
            "0x10",
            "1" + "0".repeat(5000));
    Fuzz.run(
        "k8s-rdma.io/vf quantities",
        Fuzz.seed(32),
        Fuzz.iterations(300),
        random -> podWithQuantities(random, quantities),
        input -> {
          Pod pod;
          try {
            pod = input.pod();
          } catch (IllegalArgumentException e) {
            // fabric8 refuses to build the Quantity: the API server never sends it either.
            return;
          }
          try {
            Integer count = PodRequestCodec.vfResourceCount(pod);
            assertThat(count == null || count >= 0).as("count %s", count).isTrue();
            Optional<PodRequest> r = PodRequestCodec.read(pod);
            r.ifPresent(req -> assertThat(req.size()).isEqualTo(count));
          } catch (InvalidRequestException e) {
            assertThat(e.getMessage())
                .matches("(?s)(container \\S* resource k8s-rdma\\.io/vf: |k8s-rdma\\.io/vf: ).+");
            assertThat(e.getMessage().length()).isLessThanOrEqualTo(MAX_MESSAGE);
          }
        });
  }

  // --- inputs -----------------------------------------------------------------------------------

  private static Input input(Random random, String key, String valid) {
    Mutant m = new JsonMutator(random).mutate(valid);
    // Mostly no resource count, sometimes the right one, sometimes an odd one.
    Integer count =
        switch (random.nextInt(8)) {
          case 0 -> 3;
          case 1 ->
              List.of(0, 1, 32, 33, -1, Integer.MAX_VALUE, Integer.MIN_VALUE)
                  .get(random.nextInt(7));
          default -> null;
        };
    return new Input(key, count, m);
  }

  /** A pod whose containers ask for odd {@code k8s-rdma.io/vf} quantities. */
  record QuantityInput(List<String> containers, List<String> initContainers)
      implements Fuzz.Described {
    @Override
    public String description() {
      return "containers " + shown(containers) + ", init containers " + shown(initContainers);
    }

    @Override
    public byte[] bytes() {
      return ("containers " + containers + ", init containers " + initContainers)
          .getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> shown(List<String> quantities) {
      return quantities.stream().map(JsonFields::cut).toList();
    }

    Pod pod() {
      PodBuilder b = new PodBuilder().withNewMetadata().withName("p").endMetadata();
      var spec = b.withNewSpec();
      for (int i = 0; i < containers.size(); i++) {
        spec.addNewContainer()
            .withName("c" + i)
            .withNewResources()
            .addToLimits(PodRequestCodec.VF_RESOURCE, new Quantity(containers.get(i)))
            .endResources()
            .endContainer();
      }
      for (int i = 0; i < initContainers.size(); i++) {
        spec.addNewInitContainer()
            .withName("i" + i)
            .withNewResources()
            .addToRequests(PodRequestCodec.VF_RESOURCE, new Quantity(initContainers.get(i)))
            .endResources()
            .endInitContainer();
      }
      return spec.endSpec().build();
    }
  }

  private static QuantityInput podWithQuantities(Random random, List<String> quantities) {
    return new QuantityInput(
        pick(random, quantities, 1 + random.nextInt(3)),
        pick(random, quantities, random.nextInt(2)));
  }

  private static List<String> pick(Random random, List<String> from, int n) {
    return random.ints(n, 0, from.size()).mapToObj(from::get).toList();
  }

  // --- the check --------------------------------------------------------------------------------

  private void check(Input input) throws InvalidRequestException {
    Optional<PodRequest> read;
    try {
      read = PodRequestCodec.read(input.annotations(), input.vfCount());
    } catch (InvalidRequestException e) {
      assertThat(e.getMessage()).matches(NAMES_THE_FIELD);
      assertThat(e.getMessage().length()).as(e.getMessage()).isLessThanOrEqualTo(MAX_MESSAGE);
      tally.refused();
      return;
    }
    tally.accepted();
    if (read.isEmpty()) {
      // Only a blank RIT annotation without a resource count asks for nothing.
      assertThat(input.key()).isEqualTo(Annotations.RIT_INTERFACES);
      assertThat(input.mutant().text()).isBlank();
      return;
    }
    PodRequest request = read.get();
    assertObeysTheRules(request, input.vfCount());
    assertThat(
            PodRequestCodec.read(
                Map.of(Annotations.INTERFACES, PodRequestCodec.write(request)), null))
        .as("written and read again")
        .contains(request);
  }

  private static void assertObeysTheRules(PodRequest request, Integer vfCount)
      throws AssertionError {
    assertThat(request.size()).isBetween(1, PodRequestCodec.MAX_INTERFACES);
    if (vfCount != null && vfCount > 0) {
      assertThat(request.size()).isEqualTo(vfCount);
    }
    Set<String> names = new HashSet<>();
    for (InterfaceRequest r : request.interfaces()) {
      assertThat(r.name()).matches(IFNAME).isNotIn("eth0", "lo");
      assertThat(names.add(r.name())).as("distinct name %s", r.name()).isTrue();
      assertThat(r.minTxRateMbps()).isBetween(0L, InterfaceRequest.MAX_RATE_MBPS);
      assertThat(r.maxTxRateMbps()).isBetween(0L, InterfaceRequest.MAX_RATE_MBPS);
      assertThat(r.maxTxRateMbps() == 0 || r.maxTxRateMbps() >= r.minTxRateMbps()).isTrue();
      assertThat(r.linkLayer()).isNotEqualTo(LinkLayer.UNKNOWN);
      if (r.pf() != null) {
        assertThat(r.pf()).isNotBlank();
      }
      if (r.numaNode() != null) {
        assertThat(r.numaNode()).isBetween(0, 1023);
      }
    }
  }
}
