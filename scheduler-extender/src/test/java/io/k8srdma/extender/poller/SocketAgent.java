package io.k8srdma.extender.poller;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An agent on a plain {@link ServerSocket}, for what WireMock can neither do nor show: an answer
 * that stops or never comes, and which connections the poller opens and keeps open.
 *
 * <p>Each connection runs {@link Script} on a thread of its own; a connection counts as open until
 * the script returns (it waits for the poller to close the connection where that is the point).
 */
final class SocketAgent implements AutoCloseable {

  /** What the agent does on one connection. */
  interface Script {
    void serve(Connection connection) throws IOException, InterruptedException;
  }

  private final ServerSocket server;
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();

  SocketAgent(Script script) {
    try {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread.ofPlatform().daemon().name("socket-agent").start(() -> acceptAll(script));
  }

  private void acceptAll(Script script) {
    while (!server.isClosed()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      open.incrementAndGet();
      Thread.ofPlatform()
          .daemon()
          .name("socket-agent-connection")
          .start(
              () -> {
                try (socket) {
                  script.serve(new Connection(socket));
                } catch (IOException | InterruptedException e) {
                  // the poller closed the connection, or the test ended
                } finally {
                  open.decrementAndGet();
                }
              });
    }
  }

  /** The agent's base URL. */
  String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  /** Connections accepted so far. */
  int accepted() {
    return accepted.get();
  }

  /** Connections whose script has not returned. */
  int open() {
    return open.get();
  }

  /** Request heads read so far, on all connections. */
  int requests() {
    return requests.get();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /**
   * A request's head.
   *
   * @param path the request target, e.g. {@code /n1/vfs}
   * @param headers the header fields by lower-case name
   */
  record Request(String path, Map<String, String> headers) {

    /** The first segment of the path: the node, for agents at {@code <url>/<node>}. */
    String node() {
      return path.substring(1, path.indexOf('/', 1));
    }
  }

  /** One accepted connection, with what a script needs to answer on it. */
  final class Connection {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Connection(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    /** Reads the next request's head; null when the poller closed the connection instead. */
    Request readRequest() throws IOException {
      StringBuilder head = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0) {
        head.append((char) c);
        if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
          requests.incrementAndGet();
          Map<String, String> headers = new LinkedHashMap<>();
          String[] lines = head.toString().split("\r\n");
          for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                lines[i].substring(colon + 1).trim());
          }
          return new Request(lines[0].split(" ")[1], headers);
        }
      }
      return null;
    }

    void write(String text) throws IOException {
      write(text.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** A complete answer: status line, {@code headers} (each ending in CRLF) and {@code body}. */
    void answer(String status, String headers, String body) throws IOException {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      write(
          "HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: " + bytes.length + "\r\n\r\n");
      write(bytes);
    }

    /** Whether the poller has closed the connection, waiting up to {@code millis} to see it. */
    boolean closedByPoller(int millis) throws IOException {
      socket.setSoTimeout(millis);
      try {
        return in.read() < 0;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (SocketException e) {
        return true; // reset rather than closed
      } finally {
        socket.setSoTimeout(0);
      }
    }

    /** Waits, reading nothing it is sent, until the poller closes the connection. */
    void awaitClose() throws IOException {
      while (!closedByPoller(0)) {
        // more bytes: a next request the script does not answer
      }
    }
  }
}
