package io.k8srdma.extender.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.model.testing.ConfigKeys;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every extender key in docs/operations.md exists in code, and every key in code is there. */
class ConfigDocsTest {

  @Test
  void docsAndCodeNameTheSameExtenderKeys() throws Exception {
    assertThat(ConfigKeys.inDoc(Path.of("..", "docs", "operations.md"), "k8s-rdma.extender"))
        .isEqualTo(ConfigKeys.of("k8s-rdma.extender", ExtenderProperties.class));
  }
}
