package io.k8srdma.extender;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import io.k8srdma.model.inventory.NodeInventory;

/** WireMock node agents on 127.0.0.1 for the extender to poll. */
public final class TestAgents {

  private TestAgents() {}

  /** A started agent on a random port. */
  public static WireMockServer start() {
    WireMockServer s = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    s.start();
    return s;
  }

  /**
   * Makes {@code agent} answer {@code GET /vfs} with {@code inventory}, as the node agent does.
   *
   * @return the stub, which answers instead of any earlier one until it is removed
   */
  public static StubMapping serve(WireMockServer agent, NodeInventory inventory) {
    return agent.stubFor(
        get(urlEqualTo("/vfs"))
            .willReturn(
                aResponse()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json")
                    .withHeader("ETag", "W/\"" + inventory.generation() + "\"")
                    .withBody(TestInventories.json(inventory))));
  }
}
