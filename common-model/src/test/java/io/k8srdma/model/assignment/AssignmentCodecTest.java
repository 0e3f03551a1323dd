package io.k8srdma.model.assignment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AssignmentCodecTest {

  private static final Assignment EXAMPLE =
      new Assignment(
          "worker-7",
          List.of(new AssignedInterface("net1", "0000:1a:00.0", "0000:1a:00.3", 25000, 50000)));

  @Test
  void decodesTheDesignExample() throws Exception {
    assertThat(
            AssignmentCodec.decode(
                """
                {"node": "worker-7", "interfaces": [{"name": "net1", "pf": "0000:1a:00.0",
                  "vf": "0000:1a:00.3", "minTxRateMbps": 25000, "maxTxRateMbps": 50000}]}"""))
        .isEqualTo(EXAMPLE);
  }

  @Test
  void encodesWithTheContractFieldNames() {
    assertThat(AssignmentCodec.encode(EXAMPLE))
        .isEqualTo(
            "{\"node\":\"worker-7\",\"interfaces\":[{\"name\":\"net1\",\"pf\":\"0000:1a:00.0\","
                + "\"vf\":\"0000:1a:00.3\",\"minTxRateMbps\":25000,\"maxTxRateMbps\":50000}]}");
  }

  @Test
  void roundTripsAndIgnoresUnknownFields() throws Exception {
    assertThat(AssignmentCodec.decode(AssignmentCodec.encode(EXAMPLE))).isEqualTo(EXAMPLE);
    assertThat(
            AssignmentCodec.decode(
                """
                {"node": "worker-7", "decidedAt": "2026-01-01T00:00:00Z",
                 "interfaces": [{"name": "net1", "pf": "0000:1A:00.0", "vf": "0000:1a:00.3",
                 "minTxRateMbps": 25000, "maxTxRateMbps": 50000, "extra": 1}]}"""))
        .isEqualTo(EXAMPLE);
  }

  @Test
  void readsFromAnnotations() throws Exception {
    assertThat(AssignmentCodec.read(Map.of())).isEmpty();
    assertThat(AssignmentCodec.read(null)).isEmpty();
    assertThat(
            AssignmentCodec.read(Map.of("k8s-rdma.io/assignment", AssignmentCodec.encode(EXAMPLE))))
        .contains(EXAMPLE);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "[]|k8s-rdma.io/assignment: expected an object, got an array",
        "{}|k8s-rdma.io/assignment.node: is required",
        "{\"node\": 1}|k8s-rdma.io/assignment.node: expected a string, got the number 1",
        "{\"node\": \"n\"}|k8s-rdma.io/assignment.interfaces: is required",
        "{\"node\": \"n\", \"interfaces\": []}|k8s-rdma.io/assignment.interfaces: is empty",
        "{\"node\": \"n\", \"interfaces\": [{}]}|k8s-rdma.io/assignment.interfaces[0].name: is"
            + " required",
        "{\"node\": \"n\", \"interfaces\": [{\"name\": \"a\", \"pf\": \"1a:00.0\"}]}"
            + "|k8s-rdma.io/assignment.interfaces[0].pf: '1a:00.0' is not a PCI address like"
            + " 0000:1a:00.1 (domain:bus:device.function)",
        "{\"node\": \"n\", \"interfaces\": [{\"name\": \"a\", \"pf\": \"0000:1a:00.0\", \"vf\":"
            + " \"0000:1a:00.1\", \"minTxRateMbps\": \"5\"}]}|k8s-rdma.io/assignment.interfaces[0]"
            + ".minTxRateMbps: expected a whole number, got a string (\"5\")",
        "{\"node\": \"n\", \"interfaces\": [{\"name\": \"a\", \"pf\": \"0000:1a:00.0\", \"vf\":"
            + " \"0000:1a:00.1\", \"minTxRateMbps\": 5}]}|k8s-rdma.io/assignment.interfaces[0]"
            + ".maxTxRateMbps: is required",
        "{\"node\": \"n\", \"interfaces\": [{\"name\": \"a\", \"pf\": \"0000:1a:00.0\", \"vf\":"
            + " \"0000:1a:00.1\", \"minTxRateMbps\": 5, \"maxTxRateMbps\": 4}]}"
            + "|k8s-rdma.io/assignment.interfaces[0].maxTxRateMbps: 4 is below minTxRateMbps 5",
        "{\"node\": \"n\", \"interfaces\": [{\"name\": \"a\", \"pf\": \"0000:1a:00.0\", \"vf\":"
            + " \"0000:1a:00.0\", \"minTxRateMbps\": 5, \"maxTxRateMbps\": 0}]}"
            + "|k8s-rdma.io/assignment.interfaces[0].vf: 0000:1a:00.0 is the PF's own address",
        "{\"node\": \"n\", \"interfaces\": [{\"name\": \"a\", \"pf\": \"0000:1a:00.0\", \"vf\":"
            + " \"0000:1a:00.1\", \"minTxRateMbps\": 0, \"maxTxRateMbps\": 0}, {\"name\": \"b\","
            + " \"pf\": \"0000:1a:00.0\", \"vf\": \"0000:1A:00.1\", \"minTxRateMbps\": 0,"
            + " \"maxTxRateMbps\": 0}]}|k8s-rdma.io/assignment.interfaces[1].vf: VF 0000:1a:00.1 is"
            + " also given to [0]",
        "{\"node\": \"n\", \"interfaces\": [{\"name\": \"a\", \"pf\": \"0000:1a:00.0\", \"vf\":"
            + " \"0000:1a:00.1\", \"minTxRateMbps\": 0, \"maxTxRateMbps\": 0}, {\"name\": \"a\","
            + " \"pf\": \"0000:1a:00.0\", \"vf\": \"0000:1a:00.2\", \"minTxRateMbps\": 0,"
            + " \"maxTxRateMbps\": 0}]}|k8s-rdma.io/assignment.interfaces[1].name: duplicate name a,"
            + " also used by [0]",
      })
  void rejectsBadAnnotationsNamingTheField(String json, String message) {
    assertThatThrownBy(() -> AssignmentCodec.decode(json))
        .isInstanceOf(InvalidAssignmentException.class)
        .hasMessage(message);
  }

  @Test
  void rejectsInvalidJson() {
    assertThatThrownBy(() -> AssignmentCodec.decode("{\"node\":"))
        .isInstanceOf(InvalidAssignmentException.class)
        .hasMessageStartingWith("k8s-rdma.io/assignment: not valid JSON at line 1");
    assertThatThrownBy(() -> AssignmentCodec.decode(""))
        .hasMessage("k8s-rdma.io/assignment: is empty: expected JSON");
  }

  @Test
  void sumsCommittedBandwidthPerPf() {
    Assignment a =
        new Assignment(
            "n",
            List.of(
                new AssignedInterface("a", "0000:1a:00.0", "0000:1a:00.1", 10, 0),
                new AssignedInterface("b", "0000:1a:00.0", "0000:1a:00.2", 20, 0),
                new AssignedInterface("c", "0000:1b:00.0", "0000:1b:00.1", 40, 0)));
    assertThat(a.committedMbps("0000:1A:00.0")).isEqualTo(30);
    assertThat(a.committedMbps("0000:99:00.0")).isZero();
  }

  @Test
  void roundTripsPciDomainsAboveFfffAndAnyCase() throws Exception {
    Assignment vmd =
        new Assignment(
            "n", List.of(new AssignedInterface("net1", "10000:1a:00.0", "10000:1a:00.2", 5, 0)));
    assertThat(AssignmentCodec.decode(AssignmentCodec.encode(vmd))).isEqualTo(vmd);
    Assignment upper =
        new Assignment(
            "n", List.of(new AssignedInterface("net1", "0000:1A:00.0", "0000:1A:00.2", 5, 0)));
    assertThat(upper.interfaces().get(0).vf()).isEqualTo("0000:1a:00.2");
    assertThat(AssignmentCodec.decode(AssignmentCodec.encode(upper))).isEqualTo(upper);
  }

  @Test
  void refusesToEncodeWhatItCouldNotDecode() {
    Assignment bad =
        new Assignment("n", List.of(new AssignedInterface("net1", "pf0", "0000:1a:00.2", 5, 0)));
    assertThatThrownBy(() -> AssignmentCodec.encode(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "cannot write an unreadable assignment: k8s-rdma.io/assignment.interfaces[0].pf:"
                + " 'pf0' is not a PCI address like 0000:1a:00.1 (domain:bus:device.function)");
  }

  @Test
  void readIfValidTakesAnUnreadableAnnotationAsNone() {
    String key = "k8s-rdma.io/assignment";
    assertThat(AssignmentCodec.readIfValid(null)).isEmpty();
    assertThat(AssignmentCodec.readIfValid(Map.of(key, "{\"node\": \"w\", \"interf"))).isEmpty();
    assertThat(AssignmentCodec.readIfValid(Map.of(key, AssignmentCodec.encode(EXAMPLE))))
        .contains(EXAMPLE);
  }
}
