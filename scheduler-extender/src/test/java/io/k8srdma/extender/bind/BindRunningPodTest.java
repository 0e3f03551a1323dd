package io.k8srdma.extender.bind;

import static io.k8srdma.extender.bind.BindTestKit.NODE;
import static io.k8srdma.extender.bind.BindTestKit.NS;
import static io.k8srdma.extender.bind.BindTestKit.args;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.TestInventories;
import io.k8srdma.extender.ledger.Ledger;
import io.k8srdma.extender.ledger.PodLedgerSync;
import io.k8srdma.extender.poller.InventoryCacheFixture;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.AssignedInterface;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.extender.ExtenderBindingResult;
import io.k8srdma.model.inventory.NodeInventory;
import io.k8srdma.model.inventory.PhysicalFunction;
import io.k8srdma.model.inventory.VfState;
import io.k8srdma.model.inventory.VirtualFunction;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A bind of a pod that is already on the requested node with its assignment, once the pod runs:
 * kube-scheduler binds again when the first bind's answer came after its {@code httpTimeout}, and
 * by then the agent may report the pod's VFs as in use (their netdevs moved into the pod). Found by
 * the flow stress test ({@code FlowStressBase}, operation REBIND after an agent rescan).
 */
class BindRunningPodTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension static final BindingApi API = new BindingApi();

  private final BindTestKit kit = new BindTestKit();
  private final Ledger ledger = kit.ledger;
  private PodLedgerSync sync;

  @AfterEach
  void tearDown() {
    if (sync != null) {
      sync.close();
    }
    API.client().pods().inNamespace(NS).delete();
  }

  @ParameterizedTest
  @EnumSource(AssignmentWrite.class)
  void aRunningPodBoundAgainToItsNodeIsASuccessThatChangesNothing(AssignmentWrite write)
      throws Exception {
    sync = new PodLedgerSync(API.client(), ledger);
    String name = "running-" + write.name().toLowerCase().replace('_', '-');
    Pod pod = BindTestKit.create(API.client(), name, "uid-" + name);
    String uid = pod.getMetadata().getUid();
    assertThat(kit.bindService(API.client(), PodCache.NONE, write).bind(args(pod)).error())
        .isNull();
    String recorded = annotationOf(name);
    Assignment assignment = AssignmentCodec.decode(recorded);
    Await.until(
        "the informer shows the pod bound",
        WAIT,
        () -> ledger.lapsingWithin(Duration.ofDays(1)).isEmpty() && ledger.holds(uid));
    // The pod runs: the agent reports its VF in use, with the floor the VF was given.
    InventoryCacheFixture.received(
        kit.cache, NODE, withInUse(assignment.interfaces().get(0)), Clock.systemUTC().instant());

    for (PodCache pods : List.<PodCache>of(sync::cached, PodCache.NONE)) {
      ExtenderBindingResult again = kit.bindService(API.client(), pods, write).bind(args(pod));

      assertThat(again.error()).as("bound again to its node").isNull();
      assertThat(annotationOf(name)).as("the running pod's record of its VFs").isEqualTo(recorded);
      assertThat(ledger.assignmentOf(uid)).contains(assignment);
    }
  }

  /** The kit's node as its agent sees it while a pod uses {@code vf}. */
  private static NodeInventory withInUse(AssignedInterface used) {
    NodeInventory base = TestInventories.ibNode(NODE, 0x1a, 4, 400_000);
    PhysicalFunction pf = base.pfs().get(0);
    List<VirtualFunction> vfs =
        pf.vfs().stream()
            .map(
                v ->
                    !v.pciAddress().equals(used.vf())
                        ? v
                        : new VirtualFunction(
                            v.index(),
                            v.pciAddress(),
                            null,
                            v.rdmaDevice(),
                            v.uverbsDevice(),
                            v.driver(),
                            null,
                            null,
                            (int) used.minTxRateMbps(),
                            (int) used.maxTxRateMbps(),
                            VfState.IN_USE,
                            "netdev moved to another network namespace"))
            .toList();
    return new NodeInventory(
        base.node(), base.generation() + 1, base.scannedAt(), List.of(pf.withVfs(vfs)));
  }

  private static String annotationOf(String name) {
    return API.client()
        .pods()
        .inNamespace(NS)
        .withName(name)
        .get()
        .getMetadata()
        .getAnnotations()
        .get(Annotations.ASSIGNMENT);
  }
}
