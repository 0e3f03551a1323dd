package io.k8srdma.extender;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;

/** An API server (fabric8's mock, CRUD mode, plain HTTP) for tests that start it late. */
public final class LateApiServer {

  private LateApiServer() {}

  /** A CRUD mock server, not started: {@code init(address, port)} starts it on a chosen port. */
  public static KubernetesMockServer crud() {
    return new KubernetesMockServer(
        new Context(Serialization.jsonMapper()),
        new MockWebServer(),
        new HashMap<>(),
        new KubernetesCrudDispatcher(),
        false);
  }

  /** A port on 127.0.0.1 that nothing listens on (until a test starts something there). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
