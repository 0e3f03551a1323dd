package io.k8srdma.bench.extender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.k8srdma.bench.support.DriverKit;
import io.k8srdma.bench.support.Options;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriverTransportTest {

  @Test
  void theDriverClientOptionDefaultsToSocketsAndNamesItsChoiceInTheReport() {
    assertThat(DriverTransport.Kind.of(new Options(Map.of())))
        .isEqualTo(DriverTransport.Kind.SOCKET);
    assertThat(DriverTransport.Kind.of(new Options(Map.of("driver-client", "JDK"))))
        .isEqualTo(DriverTransport.Kind.JDK);
    assertThat(DriverTransport.Kind.SOCKET.settingsLine())
        .startsWith("- driver's HTTP client for the timed exchanges (`--driver-client`): `socket`");
    assertThat(DriverTransport.Kind.JDK.settingsLine()).contains("`jdk`", "java.net.http");
    assertThatThrownBy(() -> DriverTransport.Kind.of(new Options(Map.of("driver-client", "go"))))
        .hasMessage("--driver-client must be socket or jdk, got 'go'");
  }

  /**
   * The JDK's own server answers a body of unknown length chunked and a known one with
   * Content-Length: both transports read both alike, and the socket one keeps a load client's
   * connection from one run to the next.
   */
  @Test
  void bothTransportsGetTheSameAnswersAndSocketsKeepTheirConnection() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            byte[] in = ex.getRequestBody().readAllBytes();
            byte[] out =
                (ex.getRequestURI().getPath() + " " + new String(in, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8);
            boolean chunked = ex.getRequestURI().getPath().equals("/chunked");
            ex.sendResponseHeaders(chunked ? 201 : 200, chunked ? 0 : out.length);
            try (OutputStream body = ex.getResponseBody()) {
              body.write(out);
            }
          }
        });
    server.start();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    try {
      for (DriverTransport.Kind kind : DriverTransport.Kind.values()) {
        try (DriverTransport t = DriverTransport.of(kind, base, DriverKit.httpClient(), null)) {
          for (int run = 0; run < 2; run++) {
            DriverTransport.Channel c = t.acquire();
            DriverTransport.Answer plain = c.post("/filter", "{}".getBytes());
            DriverTransport.Answer chunked = c.post("/chunked", "[1]".getBytes());
            t.release(c);
            assertThat(plain.status()).as("%s", kind).isEqualTo(200);
            assertThat(new String(plain.body(), StandardCharsets.UTF_8)).isEqualTo("/filter {}");
            assertThat(chunked.status()).as("%s", kind).isEqualTo(201);
            assertThat(new String(chunked.body(), StandardCharsets.UTF_8))
                .isEqualTo("/chunked [1]");
            assertThat(plain.span().nanos()).isPositive();
          }
          if (kind == DriverTransport.Kind.SOCKET) {
            assertThat(t.summary())
                .isEqualTo(
                    "1 load-client connections, 1 connects, 0 requests retried on a new"
                        + " connection, 2 chunked answers");
          }
        }
      }
    } finally {
      server.stop(0);
    }
  }
}
