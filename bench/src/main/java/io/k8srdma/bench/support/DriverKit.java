package io.k8srdma.bench.support;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;

/** What every load driver starts its services and sends its requests with. */
public final class DriverKit {

  private DriverKit() {}

  /** The java binary running this driver, so the services under test run on the same JDK. */
  public static Path currentJava() {
    return Path.of(ProcessHandle.current().info().command().orElse("java"));
  }

  /** An HTTP/1.1 client, as kube-scheduler and the agents' pollers speak to 127.0.0.1. */
  public static HttpClient httpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }
}
