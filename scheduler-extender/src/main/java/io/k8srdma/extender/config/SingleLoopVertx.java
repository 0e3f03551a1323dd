package io.k8srdma.extender.config;

import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.vertx.VertxHttpClientFactory;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;

/**
 * A Vert.x instance with one event loop, for one HTTP client: the Kubernetes API's (fabric8's, on
 * {@link #clientsOn}) or the poller's (Vert.x's own).
 *
 * <p>fabric8's default instance has two event loops per processor. A request started from a thread
 * outside Vert.x gets a context on the next loop in turn while its connection may live on another,
 * so every response chunk hops between loops and wakes the other loop's selector: with realistic
 * pods that was 29% of the Kubernetes client's event-loop CPU and 8% of the request threads'
 * (docs/benchmarks.md). One loop has nowhere to hop, and is plenty for either client.
 */
public final class SingleLoopVertx {

  // The property fabric8 sets while creating its own instance, for the same reason: Vert.x's own
  // DNS resolver does not read the resolver configuration the JDK honours.
  private static final String DISABLE_DNS_RESOLVER = "vertx.disableDnsResolver";

  private SingleLoopVertx() {}

  /** A new instance with one event loop and daemon threads; the caller closes it. */
  public static synchronized Vertx create() {
    String before = System.getProperty(DISABLE_DNS_RESOLVER);
    System.setProperty(DISABLE_DNS_RESOLVER, "true");
    try {
      return Vertx.vertx(
          new VertxOptions()
              .setEventLoopPoolSize(1)
              .setUseDaemonThread(true)
              .setFileSystemOptions(
                  new FileSystemOptions()
                      .setFileCachingEnabled(false)
                      .setClassPathResolvingEnabled(false)));
    } finally {
      if (before == null) {
        System.clearProperty(DISABLE_DNS_RESOLVER);
      } else {
        System.setProperty(DISABLE_DNS_RESOLVER, before);
      }
    }
  }

  /** fabric8's HTTP client factory on {@code vertx}; clients it builds leave {@code vertx} open. */
  public static HttpClient.Factory clientsOn(Vertx vertx) {
    return new VertxHttpClientFactory(vertx);
  }
}
