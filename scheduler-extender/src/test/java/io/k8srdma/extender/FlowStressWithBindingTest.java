package io.k8srdma.extender;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link FlowStressBase} with {@code bind.write-assignment=with-binding}: the assignment travels on
 * the Binding.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// Closed after the class: its agents and API server stop in @AfterAll, and a cached context would
// keep polling their ports, which a later class's servers may be given.
@DirtiesContext
class FlowStressWithBindingTest extends FlowStressBase {

  private static final StressCluster CLUSTER = new StressCluster();

  @DynamicPropertySource
  static void props(DynamicPropertyRegistry r) {
    CLUSTER.register(r);
    r.add("k8s-rdma.extender.bind.write-assignment", () -> "with-binding");
  }

  @AfterAll
  static void stop() {
    CLUSTER.close();
  }

  @Override
  StressCluster cluster() {
    return CLUSTER;
  }

  @Override
  boolean withBinding() {
    return true;
  }
}
