package io.k8srdma.bench.extender;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClusterTrafficTest {

  @Test
  void getsEachPathAtItsPeriodAndCountsWhatFailed() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            String path = ex.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            ex.sendResponseHeaders(path.endsWith("/down") ? 503 : 200, -1);
          }
        });
    server.start();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    try (ClusterTraffic traffic =
        ClusterTraffic.start(
            HttpClient.newHttpClient(),
            base,
            Map.of("/up", Duration.ofMillis(20), "/down", Duration.ofMillis(40)))) {
      for (int i = 0; i < 500 && traffic.failures() < 3; i++) {
        Thread.sleep(10);
      }
      assertThat(traffic.failures()).isGreaterThanOrEqualTo(3);
      assertThat(hits.get("/up").get()).isGreaterThan(hits.get("/down").get());
      // each hit was counted as a request before it was sent
      assertThat(traffic.requests())
          .isGreaterThanOrEqualTo(hits.get("/up").get() + hits.get("/down").get());
    } finally {
      server.stop(0);
    }
  }
}
