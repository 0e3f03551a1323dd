package io.k8srdma.extender.bind;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.k8srdma.extender.BindingApiServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link BindingApiServer} and a client of it for the tests of one class: started before the
 * first test, closed after the last. Register it as {@code @RegisterExtension static final
 * BindingApi API = new BindingApi();}.
 */
final class BindingApi implements BeforeAllCallback, AfterAllCallback {

  private BindingApiServer.Started started;
  private KubernetesClient client;

  @Override
  public void beforeAll(ExtensionContext context) {
    started = BindingApiServer.start();
    client = started.server().createClient();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    client.close();
    started.server().destroy();
  }

  KubernetesClient client() {
    return client;
  }

  KubernetesMockServer server() {
    return started.server();
  }

  /** The binding subresource, e.g. to lose the next answer. */
  BindingApiServer api() {
    return started.api();
  }
}
