package io.k8srdma.agent.api;

import io.k8srdma.agent.testhost.Hosts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * What the API tests that start the whole agent share: a fake host in a temp dir and the properties
 * that point the agent at it. Each Spring test class still declares its own
 * {@code @DynamicPropertySource}, which calls {@link #register}.
 */
final class FakeHostAgent {

  static final String NODE = "worker-7";

  private FakeHostAgent() {}

  /** A temp dir holding the demo host ({@link Hosts#demo}). */
  static Path demoRoot(String prefix) {
    try {
      Path root = Files.createTempDirectory(prefix);
      Hosts.demo(root);
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The agent on {@code root} as node {@value #NODE}, without netlink, scanning that often. */
  static void register(DynamicPropertyRegistry registry, Path root, String scanInterval) {
    registry.add("k8s-rdma.agent.host-root", root::toString);
    registry.add("k8s-rdma.agent.node-name", () -> NODE);
    registry.add("k8s-rdma.agent.netlink", () -> "false");
    registry.add("k8s-rdma.agent.scan-interval", () -> scanInterval);
  }
}
