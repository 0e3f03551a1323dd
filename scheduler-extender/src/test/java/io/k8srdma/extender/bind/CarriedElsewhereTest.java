package io.k8srdma.extender.bind;

import static io.k8srdma.extender.bind.BindTestKit.NS;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.extender.Await;
import io.k8srdma.extender.BindingApiServer;
import io.k8srdma.extender.ledger.PodLedgerSync;
import io.k8srdma.model.Annotations;
import io.k8srdma.model.assignment.Assignment;
import io.k8srdma.model.extender.ExtenderBindingArgs;
import io.k8srdma.model.extender.ExtenderBindingResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A pending pod carries an assignment for node-a (a bind that could not tell whether its Binding
 * landed left it, as documented), and the scheduler binds it to node-b; the annotation patch fails
 * without writing (409: the pod changed meanwhile). The pod still carries node-a's assignment, so
 * the ledger must still hold it: reserve put the decision for node-b in front of it, and the failed
 * bind's release gives it back (it used to leave nothing, and node-a's VF went free to the next pod
 * until the pod's next change reached the informer).
 */
class CarriedElsewhereTest {

  @Test
  void aFailedBindElsewhereKeepsTheAssignmentThePodStillCarriesInTheLedger() throws Exception {
    KubernetesMockServer server = BindingApiServer.start().server();
    KubernetesClient client = server.createClient();
    BindTestKit kit = new BindTestKit();
    kit.addNode("node-b");
    try (PodLedgerSync sync = new PodLedgerSync(client, kit.ledger)) {
      Pod pod = BindTestKit.create(client, "carrier", "uid-carrier");
      String uid = pod.getMetadata().getUid();
      Assignment carried = BindTestKit.assignment("0000:1a:00.1");
      String recorded = BindTestKit.carry(client, "carrier", carried);
      Await.until(
          "the ledger holds the carried assignment",
          Duration.ofSeconds(10),
          () -> kit.ledger.assignmentOf(uid).isPresent());
      server
          .expect()
          .patch()
          .withPath("/api/v1/namespaces/ml/pods/carrier?fieldManager=" + PodWrites.FIELD_MANAGER)
          .andReturn(
              409,
              "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":"
                  + "\"Conflict\",\"message\":\"the object has been modified\",\"code\":409}")
          .once();

      ExtenderBindingResult result =
          kit.bindService(client, PodCache.NONE, AssignmentWrite.BEFORE_BINDING)
              .bind(new ExtenderBindingArgs("carrier", NS, uid, "node-b"));

      assertThat(result.error()).endsWith("the pod changed meanwhile (conflict); retry");
      assertThat(
              client
                  .pods()
                  .inNamespace(NS)
                  .withName("carrier")
                  .get()
                  .getMetadata()
                  .getAnnotations()
                  .get(Annotations.ASSIGNMENT))
          .as("the pod still carries node-a's assignment")
          .isEqualTo(recorded);
      assertThat(kit.ledger.assignmentOf(uid))
          .as("and the ledger still holds it")
          .contains(carried);
    } finally {
      client.close();
      server.destroy();
    }
  }
}
