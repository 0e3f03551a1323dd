package io.k8srdma.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8srdma.agent.init.InitProperties;
import io.k8srdma.model.testing.ConfigKeys;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Every agent key in docs/operations.md exists in code, and every key in code is there. */
class ConfigDocsTest {

  @Test
  void docsAndCodeNameTheSameAgentKeys() throws Exception {
    Set<String> code = new TreeSet<>(ConfigKeys.of("k8s-rdma.agent", AgentProperties.class));
    code.addAll(ConfigKeys.of("k8s-rdma.agent.init", InitProperties.class));
    Set<String> docs = ConfigKeys.inDoc(Path.of("..", "docs", "operations.md"), "k8s-rdma.agent");
    assertThat(docs).isEqualTo(code);
  }
}
