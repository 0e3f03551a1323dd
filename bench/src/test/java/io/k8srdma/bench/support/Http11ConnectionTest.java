package io.k8srdma.bench.support;

import static io.k8srdma.bench.support.ScriptedServer.ok;
import static io.k8srdma.bench.support.ScriptedServer.readRequest;
import static io.k8srdma.bench.support.ScriptedServer.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8srdma.bench.support.Http11Connection.HttpProtocolException;
import io.k8srdma.bench.support.Http11Connection.Response;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Http11ConnectionTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private static ScriptedServer plain(ScriptedServer.Script script) throws IOException {
    return new ScriptedServer(
        new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), "http", script);
  }

  /** Answers every request of every connection with {@code answer(body)}, until it ends. */
  private static ScriptedServer echo(List<ScriptedServer.Request> seen) throws IOException {
    return plain(
        (i, s, in, out) -> {
          for (int n = 0; n < 100; n++) {
            ScriptedServer.Request r = readRequest(in);
            if (r == null) {
              return;
            }
            seen.add(r);
            send(out, ok("{\"echo\":" + r.body() + "}"));
          }
        });
  }

  private static String text(Response r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void writesOneRequestWithItsHeadersAndReusesTheConnection() throws Exception {
    List<ScriptedServer.Request> seen = new CopyOnWriteArrayList<>();
    try (ScriptedServer server = echo(seen);
        Http11Connection c = new Http11Connection(server.base(), null, TIMEOUT)) {
      for (int i = 0; i < 3; i++) {
        Response r = c.post("/filter", "application/json", ("[" + i + "]").getBytes());
        assertThat(r.status()).isEqualTo(200);
        assertThat(text(r)).isEqualTo("{\"echo\":[" + i + "]}");
      }
      assertThat(server.connections()).isEqualTo(1);
      assertThat(c.connects()).isEqualTo(1);
      assertThat(c.retries()).isZero();
      assertThat(seen.get(0).head())
          .containsExactly(
              "POST /filter HTTP/1.1",
              "Host: 127.0.0.1:" + server.base().getPort(),
              "Content-Type: application/json",
              "Content-Length: 3");
      assertThat(seen.get(2).body()).isEqualTo("[2]");
      assertThat(server.failures()).isEmpty();
    }
  }

  @Test
  void readsChunkedAnswersWithExtensionsAndTrailersAndKeepsTheConnection() throws Exception {
    try (ScriptedServer server =
            plain(
                (i, s, in, out) -> {
                  readRequest(in);
                  send(
                      out,
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain"
                          + "\r\n\r\n"
                          + "5;name=value\r\nhello\r\n"
                          + "7 ; quoted=\"a;b\"\r\n, world\r\n"
                          + "A\r\n0123456789\r\n"
                          + "0\r\nTrailer-One: a\r\nTrailer-Two: b\r\n\r\n");
                  readRequest(in);
                  send(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
                  readRequest(in);
                  send(out, ok("after"));
                });
        Http11Connection c = new Http11Connection(server.base(), null, TIMEOUT)) {
      assertThat(text(c.post("/filter", "application/json", new byte[0])))
          .isEqualTo("hello, world0123456789");
      assertThat(c.post("/filter", "application/json", new byte[0]).body()).isEmpty();
      // the trailers were read to their end: the next answer on the connection parses
      assertThat(text(c.post("/filter", "application/json", new byte[0]))).isEqualTo("after");
      assertThat(c.chunkedAnswers()).isEqualTo(2);
      assertThat(server.connections()).isEqualTo(1);
      assertThat(server.failures()).isEmpty();
    }
  }

  @Test
  void skipsInterimAnswersAndReadsBodylessOnesOnTheSameConnection() throws Exception {
    try (ScriptedServer server =
            plain(
                (i, s, in, out) -> {
                  readRequest(in);
                  send(out, "HTTP/1.1 100 Continue\r\n\r\n" + ok("final"));
                  readRequest(in);
                  send(out, "HTTP/1.1 204 No Content\r\n\r\n");
                  readRequest(in);
                  send(out, ok("third"));
                });
        Http11Connection c = new Http11Connection(server.base(), null, TIMEOUT)) {
      assertThat(text(c.post("/a", "application/json", new byte[0]))).isEqualTo("final");
      Response noContent = c.post("/b", "application/json", new byte[0]);
      assertThat(noContent.status()).isEqualTo(204);
      assertThat(noContent.body()).isEmpty();
      assertThat(text(c.post("/c", "application/json", new byte[0]))).isEqualTo("third");
      assertThat(server.connections()).isEqualTo(1);
    }
  }

  @Test
  void reconnectsAfterConnectionCloseAndAfterABodyThatRanToTheEnd() throws Exception {
    try (ScriptedServer server =
            plain(
                (i, s, in, out) -> {
                  readRequest(in);
                  if (i == 0) {
                    send(
                        out,
                        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nfirst");
                  } else if (i == 1) {
                    send(out, "HTTP/1.1 200 OK\r\n\r\nuntil the end");
                  } else {
                    send(out, ok("third"));
                  }
                });
        Http11Connection c = new Http11Connection(server.base(), null, TIMEOUT)) {
      assertThat(text(c.post("/a", "application/json", new byte[0]))).isEqualTo("first");
      assertThat(c.isOpen()).isFalse();
      assertThat(text(c.post("/a", "application/json", new byte[0]))).isEqualTo("until the end");
      assertThat(text(c.post("/a", "application/json", new byte[0]))).isEqualTo("third");
      assertThat(server.connections()).isEqualTo(3);
      assertThat(c.connects()).isEqualTo(3);
      assertThat(c.retries()).as("a reconnection, not a retry").isZero();
    }
  }

  @Test
  void sendsTheRequestAgainOnANewConnectionWhenTheServerClosedTheIdleOne() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    List<ScriptedServer.Request> seen = new CopyOnWriteArrayList<>();
    try (ScriptedServer server =
            plain(
                (i, s, in, out) -> {
                  seen.add(readRequest(in));
                  send(out, ok("answer " + i));
                  if (i == 0) {
                    s.close(); // as a keep-alive timeout would, without Connection: close
                    closed.countDown();
                    return;
                  }
                });
        Http11Connection c = new Http11Connection(server.base(), null, TIMEOUT)) {
      assertThat(text(c.post("/a", "application/json", "1".getBytes()))).isEqualTo("answer 0");
      assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(text(c.post("/b", "application/json", "2".getBytes()))).isEqualTo("answer 1");
      assertThat(c.retries()).isEqualTo(1);
      assertThat(c.connects()).isEqualTo(2);
      assertThat(server.connections()).isEqualTo(2);
      assertThat(seen).extracting(ScriptedServer.Request::body).containsExactly("1", "2");
    }
  }

  @Test
  void aNewConnectionThatEndsWithoutAnAnswerFailsWithoutARetry() throws Exception {
    try (ScriptedServer server = plain((i, s, in, out) -> readRequest(in));
        Http11Connection c = new Http11Connection(server.base(), null, TIMEOUT)) {
      assertThatThrownBy(() -> c.post("/bind", "application/json", "{}".getBytes()))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("ended before any answer to POST /bind");
      assertThat(c.connects()).isEqualTo(1);
      assertThat(c.retries()).isZero();
    }
  }

  @Test
  void anAnswerCutShortIsAnErrorAndNotRetriedEvenOnAKeptConnection() throws Exception {
    try (ScriptedServer server =
            plain(
                (i, s, in, out) -> {
                  readRequest(in);
                  send(out, ok("fine"));
                  readRequest(in);
                  send(out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
                });
        Http11Connection c = new Http11Connection(server.base(), null, TIMEOUT)) {
      c.post("/a", "application/json", new byte[0]);
      assertThatThrownBy(() -> c.post("/a", "application/json", new byte[0]))
          .isInstanceOf(HttpProtocolException.class)
          .hasMessage("connection ended after 3 of the 10 body bytes the Content-Length announced");
      assertThat(c.retries()).isZero();
      assertThat(c.isOpen()).isFalse();
    }
  }

  @Test
  void aMalformedStatusLineNamesTheLine() throws Exception {
    try (ScriptedServer server =
            plain(
                (i, s, in, out) -> {
                  readRequest(in);
                  send(out, "HTTP/1.1 OK\r\nContent-Length: 0\r\n\r\n");
                });
        Http11Connection c = new Http11Connection(server.base(), null, TIMEOUT)) {
      assertThatThrownBy(() -> c.post("/a", "application/json", new byte[0]))
          .isInstanceOf(HttpProtocolException.class)
          .hasMessage("bad status line: \"HTTP/1.1 OK\"");
      assertThat(c.isOpen()).isFalse();
    }
  }

  @Test
  void aBadChunkSizeNamesTheLine() throws Exception {
    try (ScriptedServer server =
            plain(
                (i, s, in, out) -> {
                  readRequest(in);
                  send(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx");
                });
        Http11Connection c = new Http11Connection(server.base(), null, TIMEOUT)) {
      assertThatThrownBy(() -> c.post("/a", "application/json", new byte[0]))
          .isInstanceOf(HttpProtocolException.class)
          .hasMessage("bad chunk size line: \"zz\"");
    }
  }

  @Test
  void parsesStatusLinesHeadersAndChunkSizesStrictly() throws Exception {
    assertThat(Http11Connection.statusCode("HTTP/1.1 200 ")).isEqualTo(200);
    assertThat(Http11Connection.statusCode("HTTP/1.1 404")).isEqualTo(404);
    assertThat(Http11Connection.statusCode("HTTP/1.0 503 Service Unavailable")).isEqualTo(503);
    for (String bad :
        List.of("", "HTTP/2 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 2000", "ICY 200 OK")) {
      assertThatThrownBy(() -> Http11Connection.statusCode(bad))
          .as(bad)
          .isInstanceOf(HttpProtocolException.class)
          .hasMessageStartingWith("bad status line: ");
    }
    assertThat(Http11Connection.chunkSize("1f")).isEqualTo(31);
    assertThat(Http11Connection.chunkSize("FF ; ext=1")).isEqualTo(255);
    assertThat(Http11Connection.chunkSize("0")).isZero();
    for (String bad : List.of("", ";ext", "-1", "0x10", "123456789", "1 2")) {
      assertThatThrownBy(() -> Http11Connection.chunkSize(bad))
          .as(bad)
          .isInstanceOf(HttpProtocolException.class)
          .hasMessageStartingWith("bad chunk size line: ");
    }
    assertThat(Http11Connection.quote("a\r\nb")).isEqualTo("\"a\\x0d\\x0ab\"");
  }

  @Test
  void rejectsBadHeaderFields() throws Exception {
    for (String head :
        List.of(
            "Content-Length: 12x",
            "Content-Length: 1\r\nContent-Length: 2",
            "Transfer-Encoding: gzip",
            "No colon here",
            "Bad Name: x")) {
      try (ScriptedServer server =
              plain(
                  (i, s, in, out) -> {
                    readRequest(in);
                    send(out, "HTTP/1.1 200 OK\r\n" + head + "\r\n\r\n1");
                  });
          Http11Connection c = new Http11Connection(server.base(), null, TIMEOUT)) {
        assertThatThrownBy(() -> c.post("/a", "application/json", new byte[0]))
            .as(head)
            .isInstanceOf(HttpProtocolException.class)
            .hasMessageMatching(
                "(bad Content-Length|two different Content-Length values"
                    + "|unsupported transfer coding|bad header line|bad header name): \".*\"");
      }
    }
  }

  @Test
  void aServerThatDoesNotAnswerRunsIntoTheReadTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ScriptedServer server =
            plain(
                (i, s, in, out) -> {
                  readRequest(in);
                  release.await(30, TimeUnit.SECONDS);
                });
        Http11Connection c = new Http11Connection(server.base(), null, Duration.ofMillis(200))) {
      assertThatThrownBy(() -> c.post("/filter", "application/json", new byte[0]))
          .isInstanceOf(SocketTimeoutException.class)
          .hasMessageContaining("no answer from 127.0.0.1:")
          .hasMessageContaining("within the read timeout of 200 ms");
      assertThat(c.isOpen()).isFalse();
      assertThat(c.retries()).isZero();
    } finally {
      release.countDown();
    }
  }

  @Test
  void refusesWhatItCannotSend() {
    assertThatThrownBy(() -> new Http11Connection(URI.create("ftp://127.0.0.1/"), null, TIMEOUT))
        .hasMessageContaining("expected an http or https URL");
    assertThatThrownBy(() -> new Http11Connection(URI.create("https://127.0.0.1:1"), null, TIMEOUT))
        .hasMessageContaining("needs an SSLContext");
    Http11Connection c = new Http11Connection(URI.create("http://127.0.0.1:1"), null, TIMEOUT);
    assertThatThrownBy(() -> c.post("/a\r\nX: y", "application/json", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void speaksHttpsWithTheSchedulersCertificateAndChecksTheHostName() throws Exception {
    BenchTls tls = BenchTls.create(dir);
    List<String> peers = new CopyOnWriteArrayList<>();
    ScriptedServer.Script script =
        (i, s, in, out) -> {
          SSLSocket ssl = (SSLSocket) s;
          ssl.startHandshake();
          peers.add(
              ((X509Certificate) ssl.getSession().getPeerCertificates()[0])
                  .getSubjectX500Principal()
                  .getName());
          for (int n = 0; n < 10; n++) {
            ScriptedServer.Request r = readRequest(in);
            if (r == null) {
              return;
            }
            send(out, ok("secure " + r.body()));
          }
        };
    try (ScriptedServer server = tlsServer("127.0.0.1", script);
        Http11Connection c = new Http11Connection(server.base(), tls.schedulerContext(), TIMEOUT)) {
      assertThat(server.base().getScheme()).isEqualTo("https");
      assertThat(text(c.post("/filter", "application/json", "1".getBytes()))).isEqualTo("secure 1");
      assertThat(text(c.post("/filter", "application/json", "2".getBytes()))).isEqualTo("secure 2");
      assertThat(server.connections()).isEqualTo(1);
      assertThat(peers).containsExactly("CN=k8s-rdma-scheduler");
    }
    // the extender's certificate names 127.0.0.1 and localhost: another address fails the check
    ScriptedServer other;
    try {
      other = tlsServer("127.0.0.2", script);
    } catch (IOException e) {
      Assumptions.abort("cannot listen on 127.0.0.2: " + e);
      return;
    }
    try (other;
        Http11Connection c = new Http11Connection(other.base(), tls.schedulerContext(), TIMEOUT)) {
      assertThatThrownBy(() -> c.post("/filter", "application/json", "1".getBytes()))
          .isInstanceOf(SSLException.class)
          .hasMessageContaining("127.0.0.2");
    }
  }

  /** A TLS server with the extender's certificate that needs the client's, as the chart's. */
  private ScriptedServer tlsServer(String address, ScriptedServer.Script script) throws Exception {
    SSLContext context =
        BenchTls.context(
            certificate(dir.resolve("ca.crt")),
            certificate(dir.resolve("tls.crt")),
            privateKey(dir.resolve("tls.key")));
    SSLServerSocket listener =
        (SSLServerSocket)
            context
                .getServerSocketFactory()
                .createServerSocket(0, 50, InetAddress.getByName(address));
    listener.setNeedClientAuth(true);
    return new ScriptedServer(listener, "https", script);
  }

  private static X509Certificate certificate(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static PrivateKey privateKey(Path pem) throws Exception {
    String base64 =
        Files.readString(pem)
            .replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
  }
}
