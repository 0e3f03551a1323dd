package io.k8srdma.agent.api;

import io.k8srdma.agent.testhost.FakeHost;
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

  /** A temp dir holding the demo host ({@link Hosts#demo}), deleted when the JVM exits. */
  static Path demoRoot(String prefix) {
    Path root = tempRoot(prefix);
    Hosts.demo(root);
    return root;
  }

  /**
   * An empty temp dir (its real path), deleted with its content when the JVM exits. Not after the
   * test class: Spring keeps its context, and the agent scanning the dir, until then.
   */
  static Path tempRoot(String prefix) {
    try {
      Path root = Files.createTempDirectory(prefix).toRealPath();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteAtExit(root)));
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteAtExit(Path root) {
    try {
      FakeHost.removeTree(root);
    } catch (UncheckedIOException e) {
      // Left for the OS's temp cleaning; nothing to report while the JVM exits.
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
