package io.k8srdma.model.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.k8srdma.model.inventory.LinkLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PodRequestCodecTest {

  private static final String KEY = "k8s-rdma.io/interfaces";
  private static final String RIT = "rdma_interfaces_required";

  private static PodRequest read(String json) throws InvalidRequestException {
    return PodRequestCodec.read(Map.of(KEY, json), null).orElseThrow();
  }

  private static String error(Map<String, String> annotations, Integer count) {
    try {
      PodRequestCodec.read(annotations, count);
    } catch (InvalidRequestException e) {
      return e.getMessage();
    }
    throw new AssertionError("expected InvalidRequestException");
  }

  private static String error(String json) {
    return error(Map.of(KEY, json), null);
  }

  @Test
  void podWithoutAnnotationOrResourceRequestsNothing() throws Exception {
    assertThat(PodRequestCodec.read(Map.of("other", "x"), null)).isEmpty();
    assertThat(PodRequestCodec.read(null, null)).isEmpty();
    assertThat(PodRequestCodec.read(Map.of(), 0)).isEmpty();
  }

  @Test
  void readsTheDesignExample() throws Exception {
    PodRequest r =
        read(
            """
            [{"name": "net1", "minTxRateMbps": 25000, "maxTxRateMbps": 50000,
              "linkLayer": "InfiniBand"}]""");
    assertThat(r.interfaces())
        .containsExactly(
            new InterfaceRequest("net1", 25000, 50000, LinkLayer.INFINIBAND, null, null));
  }

  @Test
  void readsAllOptionalFieldsAndDefaults() throws Exception {
    PodRequest r =
        read(
            """
            [{"minTxRateMbps": 0},
             {"name": "rdma0", "minTxRateMbps": 100, "linkLayer": "ethernet",
              "pf": "0000:1a:00.0", "numaNode": 1, "futureField": {"x": 1}},
             {"minTxRateMbps": 5, "maxTxRateMbps": null, "linkLayer": "RoCE", "pf": null}]""");
    assertThat(r.interfaces())
        .containsExactly(
            new InterfaceRequest("net1", 0, 0, null, null, null),
            new InterfaceRequest("rdma0", 100, 0, LinkLayer.ETHERNET, "0000:1a:00.0", 1),
            new InterfaceRequest("net3", 5, 0, LinkLayer.ETHERNET, null, null));
    assertThat(r.totalMinTxRateMbps()).isEqualTo(105);
  }

  @Test
  void maxBelowMinNamesBothFields() {
    assertThat(
            error(
                """
                [{"minTxRateMbps": 1}, {"minTxRateMbps": 2000, "maxTxRateMbps": 1000}]"""))
        .isEqualTo("k8s-rdma.io/interfaces[1].maxTxRateMbps: 1000 is below minTxRateMbps 2000");
  }

  @Test
  void maxEqualToMinAndZeroMaxAreFine() throws Exception {
    assertThat(read("[{\"minTxRateMbps\": 7, \"maxTxRateMbps\": 7}]").interfaces().get(0))
        .extracting(InterfaceRequest::maxTxRateMbps)
        .isEqualTo(7L);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[{}]|k8s-rdma.io/interfaces[0].minTxRateMbps: is required",
        "[{\"minTxRateMbps\": null}]|k8s-rdma.io/interfaces[0].minTxRateMbps: is required",
        "[{\"minTxRateMbps\": -1}]|k8s-rdma.io/interfaces[0].minTxRateMbps: -1 is negative: must be"
            + " >= 0",
        "[{\"minTxRateMbps\": \"1000\"}]|k8s-rdma.io/interfaces[0].minTxRateMbps: expected a whole"
            + " number, got a string (\"1000\")",
        "[{\"minTxRateMbps\": 1.5}]|k8s-rdma.io/interfaces[0].minTxRateMbps: expected a whole"
            + " number, got the number 1.5",
        "[{\"minTxRateMbps\": 20000000}]|k8s-rdma.io/interfaces[0].minTxRateMbps: 20000000 is above"
            + " the maximum 10000000",
        "[{\"minTxRateMbps\": 99999999999999999999999}]|k8s-rdma.io/interfaces[0].minTxRateMbps:"
            + " 99999999999999999999999 is out of range",
        "[{\"minTxRateMbps\": 1, \"maxTxRateMbps\": 10000001}]|k8s-rdma.io/interfaces[0]"
            + ".maxTxRateMbps: 10000001 is above the maximum 10000000",
        "[{\"minTxRateMbps\": 1, \"maxTxRateMbps\": true}]|k8s-rdma.io/interfaces[0].maxTxRateMbps:"
            + " expected a whole number, got true",
        "[{\"minTxRateMbps\": 1, \"linkLayer\": \"Token Ring\"}]|k8s-rdma.io/interfaces[0]"
            + ".linkLayer: 'Token Ring' is not InfiniBand, Ethernet or RoCE",
        "[{\"minTxRateMbps\": 1, \"linkLayer\": \"Unknown\"}]|k8s-rdma.io/interfaces[0].linkLayer:"
            + " 'Unknown' is not InfiniBand, Ethernet or RoCE",
        "[{\"minTxRateMbps\": 1, \"linkLayer\": 1}]|k8s-rdma.io/interfaces[0].linkLayer: expected a"
            + " string, got the number 1",
        "[{\"minTxRateMbps\": 1, \"pf\": \"\"}]|k8s-rdma.io/interfaces[0].pf: is blank",
        "[{\"minTxRateMbps\": 1, \"numaNode\": -1}]|k8s-rdma.io/interfaces[0].numaNode: -1 is"
            + " negative: must be >= 0",
        "[{\"minTxRateMbps\": 1, \"name\": [\"a\"]}]|k8s-rdma.io/interfaces[0].name: expected a"
            + " string, got an array",
        "[{\"minTxRateMbps\": 1, \"name\": \"a/b\"}]|k8s-rdma.io/interfaces[0].name: 'a/b' is not a"
            + " valid interface name: 1-15 letters, digits, '_', '.' or '-', starting with a letter"
            + " or digit",
        "[{\"minTxRateMbps\": 1, \"name\": \"eth0\"}]|k8s-rdma.io/interfaces[0].name: 'eth0' is taken"
            + " by the pod's own network; choose another name",
        "[1]|k8s-rdma.io/interfaces[0]: expected an object, got the number 1",
        "{\"minTxRateMbps\": 1}|k8s-rdma.io/interfaces: expected an array, got an object",
        "[]|k8s-rdma.io/interfaces: lists no interface; remove the annotation if the pod needs no"
            + " RDMA",
      })
  void rejectsBadFieldsNamingThem(String json, String message) {
    assertThat(error(json)).isEqualTo(message);
  }

  @Test
  void rejectsInvalidJson() {
    assertThat(error("[{\"minTxRateMbps\": 1"))
        .startsWith("k8s-rdma.io/interfaces: not valid JSON");
    assertThat(error("[{\"minTxRateMbps\": 1}] trailing"))
        .startsWith("k8s-rdma.io/interfaces: not valid JSON");
    assertThat(error("[{\"minTxRateMbps\": 1, \"minTxRateMbps\": 2}]"))
        .startsWith("k8s-rdma.io/interfaces: not valid JSON")
        .contains("minTxRateMbps");
    assertThat(error("  ")).isEqualTo("k8s-rdma.io/interfaces: is empty: expected JSON");
  }

  @Test
  void rejectsMoreThan32Interfaces() throws Exception {
    String entry = "{\"minTxRateMbps\": 0}";
    String ok = "[" + String.join(",", java.util.Collections.nCopies(32, entry)) + "]";
    assertThat(read(ok).size()).isEqualTo(32);
    String tooMany = "[" + String.join(",", java.util.Collections.nCopies(33, entry)) + "]";
    assertThat(error(tooMany))
        .isEqualTo("k8s-rdma.io/interfaces: 33 interfaces is more than the maximum of 32");
  }

  @Test
  void rejectsDuplicateNamesIncludingDefaults() {
    assertThat(
            error(
                """
                [{"name": "a", "minTxRateMbps": 0}, {"name": "a", "minTxRateMbps": 0}]"""))
        .isEqualTo(
            "k8s-rdma.io/interfaces[1].name: duplicate name a, also used by [0]"
                .replace("[0]", "k8s-rdma.io/interfaces[0]"));
    assertThat(
            error(
                """
                [{"minTxRateMbps": 0}, {"name": "net1", "minTxRateMbps": 0}]"""))
        .isEqualTo(
            "k8s-rdma.io/interfaces[1].name: duplicate name net1, also used by"
                + " k8s-rdma.io/interfaces[0]");
    assertThat(
            error(
                """
                [{"name": "net2", "minTxRateMbps": 0}, {"minTxRateMbps": 0}]"""))
        .isEqualTo(
            "k8s-rdma.io/interfaces[1].name: duplicate name net2 (the default for this position),"
                + " also used by k8s-rdma.io/interfaces[0]");
  }

  @Test
  void resourceCountMustMatchTheAnnotation() throws Exception {
    String two = "[{\"minTxRateMbps\": 1}, {\"minTxRateMbps\": 2}]";
    assertThat(PodRequestCodec.read(Map.of(KEY, two), 2).orElseThrow().size()).isEqualTo(2);
    assertThat(PodRequestCodec.read(Map.of(KEY, two), 0).orElseThrow().size()).isEqualTo(2);
    assertThat(error(Map.of(KEY, two), 3))
        .isEqualTo(
            "k8s-rdma.io/interfaces: lists 2 interface(s) but the pod requests 3 k8s-rdma.io/vf;"
                + " the two must match");
  }

  @Test
  void resourceCountAloneMeansInterfacesWithoutFloor() throws Exception {
    assertThat(PodRequestCodec.read(Map.of(), 2))
        .contains(
            new PodRequest(
                List.of(
                    new InterfaceRequest("net1", 0, 0, null, null, null),
                    new InterfaceRequest("net2", 0, 0, null, null, null))));
    assertThat(error(Map.of(), -1)).isEqualTo("k8s-rdma.io/vf: -1 is negative");
    assertThat(error(Map.of(), 33)).isEqualTo("k8s-rdma.io/vf: 33 is more than the maximum of 32");
  }

  @Test
  void readsRitRequests() throws Exception {
    Optional<PodRequest> r =
        PodRequestCodec.read(
            Map.of(
                RIT,
                "[{\"min_tx_rate\": 15000, \"max_tx_rate\": 20000}, {\"min_tx_rate\": 5000}, {}]"),
            null);
    assertThat(r.orElseThrow().interfaces())
        .containsExactly(
            new InterfaceRequest("net1", 15000, 20000, null, null, null),
            new InterfaceRequest("net2", 5000, 0, null, null, null),
            new InterfaceRequest("net3", 0, 0, null, null, null));
  }

  @Test
  void ritErrorsNameTheRitField() {
    assertThat(error(Map.of(RIT, "[{\"min_tx_rate\": 2000, \"max_tx_rate\": 1000}]"), null))
        .isEqualTo("rdma_interfaces_required[0].max_tx_rate: 1000 is below min_tx_rate 2000");
    assertThat(error(Map.of(RIT, "[{}, {\"min_tx_rate\": \"x\"}]"), null))
        .isEqualTo(
            "rdma_interfaces_required[1].min_tx_rate: expected a whole number, got a string"
                + " (\"x\")");
    assertThat(error(Map.of(RIT, "nope"), null))
        .startsWith("rdma_interfaces_required: not valid JSON");
    assertThat(error(Map.of(RIT, "[{}]"), 2))
        .isEqualTo(
            "rdma_interfaces_required: lists 1 interface(s) but the pod requests 2 k8s-rdma.io/vf;"
                + " the two must match");
  }

  @Test
  void blankRitAnnotationMeansNoRequestAsInRit() throws Exception {
    assertThat(PodRequestCodec.read(Map.of(RIT, ""), null)).isEmpty();
    assertThat(PodRequestCodec.read(Map.of(RIT, " "), 1).orElseThrow().size()).isEqualTo(1);
    // The k8s-rdma annotation has no such escape: blank there is a mistake to report.
    assertThat(error(Map.of(KEY, ""), null))
        .isEqualTo("k8s-rdma.io/interfaces: is empty: expected JSON");
  }

  @Test
  void k8sRdmaAnnotationWinsOverRit() throws Exception {
    PodRequest r =
        PodRequestCodec.read(
                Map.of(KEY, "[{\"minTxRateMbps\": 7}]", RIT, "this is not even JSON"), null)
            .orElseThrow();
    assertThat(r.interfaces())
        .containsExactly(new InterfaceRequest("net1", 7, 0, null, null, null));
  }

  @Test
  void writeThenReadRoundTrips() throws Exception {
    PodRequest r =
        new PodRequest(
            List.of(
                new InterfaceRequest("net1", 25000, 50000, LinkLayer.INFINIBAND, "ibp26s0", 0),
                new InterfaceRequest("x", 0, 0, null, null, null)));
    assertThat(read(PodRequestCodec.write(r))).isEqualTo(r);
  }

  @Test
  void countsTheExtendedResourceOfAPod() throws Exception {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .addToAnnotations(KEY, "[{\"minTxRateMbps\": 1}, {\"minTxRateMbps\": 2}]")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("a")
            .withNewResources()
            .addToLimits("k8s-rdma.io/vf", new Quantity("1"))
            .endResources()
            .endContainer()
            .addNewContainer()
            .withName("b")
            .withNewResources()
            .addToRequests("k8s-rdma.io/vf", new Quantity("1"))
            .addToLimits("k8s-rdma.io/vf", new Quantity("1"))
            .endResources()
            .endContainer()
            .addNewInitContainer()
            .withName("init")
            .withNewResources()
            .addToLimits("k8s-rdma.io/vf", new Quantity("1"))
            .endResources()
            .endInitContainer()
            .endSpec()
            .build();
    assertThat(PodRequestCodec.vfResourceCount(pod)).isEqualTo(2);
    assertThat(PodRequestCodec.read(pod).orElseThrow().size()).isEqualTo(2);
    assertThat(PodRequestCodec.vfResourceCount(new PodBuilder().withNewSpec().endSpec().build()))
        .isNull();
  }

  @Test
  void rejectsFractionalResourceQuantities() {
    Pod pod = podWithVfLimits("500m");
    assertThatThrownBy(() -> PodRequestCodec.vfResourceCount(pod))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("container a resource k8s-rdma.io/vf: '500m' is not a whole number of VFs");
  }

  @Test
  void ritKeysMatchInAnyCaseAsInRitsGoDecoder() throws Exception {
    Optional<PodRequest> r =
        PodRequestCodec.read(Map.of(RIT, "[{\"Min_Tx_Rate\": 15000, \"MAX_TX_RATE\": 0}]"), null);
    assertThat(r.orElseThrow().interfaces())
        .containsExactly(new InterfaceRequest("net1", 15000, 0, null, null, null));
    assertThat(error(Map.of(RIT, "[{\"Min_Tx_Rate\": 2000, \"max_tx_rate\": 1000}]"), null))
        .isEqualTo("rdma_interfaces_required[0].max_tx_rate: 1000 is below Min_Tx_Rate 2000");
    assertThat(error(Map.of(RIT, "[{\"min_tx_rate\": 1, \"Min_Tx_Rate\": 2}]"), null))
        .isEqualTo(
            "rdma_interfaces_required[0].Min_Tx_Rate: gives min_tx_rate again, also given as"
                + " min_tx_rate");
  }

  @Test
  void aVfCountThatOverflowsALongIsRefusedNotReadAsNoRequest() {
    Pod pod = podWithVfLimits("4611686018427387904", "4611686018427387904");
    assertThatThrownBy(() -> PodRequestCodec.read(pod))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("k8s-rdma.io/vf: 2147483647 is more than the maximum of 32");
  }

  @Test
  void lookAlikeLettersAndOtherBlanksAreNoLinkLayer() {
    assertThat(error("[{\"minTxRateMbps\": 1, \"linkLayer\": \"\u0131nf\u0131n\u0131band\"}]"))
        .isEqualTo(
            "k8s-rdma.io/interfaces[0].linkLayer: '\u0131nf\u0131n\u0131band' is not InfiniBand,"
                + " Ethernet or RoCE");
    assertThat(error("[{\"minTxRateMbps\": 1, \"linkLayer\": \"Ethernet\u2003\"}]"))
        .startsWith("k8s-rdma.io/interfaces[0].linkLayer: 'Ethernet\u2003' is not");
  }

  @Test
  void errorsQuoteAtMost64CharactersOfAValue() {
    String huge = "x".repeat(200_000);
    assertThat(error("[{\"minTxRateMbps\": 1, \"linkLayer\": \"" + huge + "\"}]"))
        .isEqualTo(
            "k8s-rdma.io/interfaces[0].linkLayer: '"
                + "x".repeat(64)
                + "... (200000 characters)' is not InfiniBand, Ethernet or RoCE");
    assertThat(error("[{\"minTxRateMbps\": \"" + huge + "\"}]"))
        .hasSizeLessThan(200)
        .endsWith("got a string (\"" + "x".repeat(64) + "... (200000 characters)\")");
    assertThat(error("[{\"minTxRateMbps\": 1, \"name\": \"" + huge + "\"}]")).hasSizeLessThan(250);
  }

  @Test
  void errorsQuoteAtMost64DigitsOfANumber() {
    // JSON numbers may have up to 1000 digits (Jackson's limit), quantities any number: quoted
    // whole, they made errors of kilobytes, repeated once per candidate node by filter.
    String digits = "1" + "0".repeat(999);
    assertThat(error("[{\"minTxRateMbps\": " + digits + "}]"))
        .isEqualTo(
            "k8s-rdma.io/interfaces[0].minTxRateMbps: "
                + digits.substring(0, 64)
                + "... (1000 characters) is out of range");
    assertThat(error("[{\"minTxRateMbps\": 1}, " + digits + "]"))
        .isEqualTo(
            "k8s-rdma.io/interfaces[1]: expected an object, got the number "
                + digits.substring(0, 64)
                + "... (1000 characters)");
    Pod pod = podWithVfLimits("1" + "0".repeat(4999));
    assertThatThrownBy(() -> PodRequestCodec.vfResourceCount(pod))
        .hasMessage(
            "container a resource k8s-rdma.io/vf: '"
                + ("1" + "0".repeat(63))
                + "... (5000 characters)' is not a whole number of VFs");
  }

  /** A pod whose containers a, b, ... each have a {@code k8s-rdma.io/vf} limit, in this order. */
  private static Pod podWithVfLimits(String... quantities) {
    List<Container> containers = new ArrayList<>();
    for (int i = 0; i < quantities.length; i++) {
      containers.add(
          new ContainerBuilder()
              .withName(String.valueOf((char) ('a' + i)))
              .withNewResources()
              .addToLimits("k8s-rdma.io/vf", new Quantity(quantities[i]))
              .endResources()
              .build());
    }
    return new PodBuilder().withNewSpec().withContainers(containers).endSpec().build();
  }
}
