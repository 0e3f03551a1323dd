package io.k8srdma.bench.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on a loopback address for client tests: each accepted connection runs the script on a
 * thread of its own with the connection's index (0 for the first). Closing it closes the listening
 * socket and every accepted connection.
 */
final class ScriptedServer implements AutoCloseable {

  /** What the server does on one connection. */
  interface Script {
    void serve(int connection, Socket socket, InputStream in, OutputStream out) throws Exception;
  }

  /** A request as the server read it: the head's lines and the body. */
  record Request(List<String> head, String body) {}

  private final ServerSocket listener;
  private final String scheme;
  private final Script script;
  private final AtomicInteger connections = new AtomicInteger();
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();
  private final Thread acceptor;

  ScriptedServer(ServerSocket listener, String scheme, Script script) {
    this.listener = listener;
    this.scheme = scheme;
    this.script = script;
    this.acceptor = Thread.ofPlatform().daemon().name("scripted-accept").start(this::accept);
  }

  URI base() {
    return URI.create(
        scheme
            + "://"
            + listener.getInetAddress().getHostAddress()
            + ":"
            + listener.getLocalPort());
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  /** What the scripts threw, other than the socket closing under them at the end. */
  List<Throwable> failures() {
    return failures;
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket s;
      try {
        s = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      accepted.add(s);
      int index = connections.getAndIncrement();
      Thread.ofPlatform()
          .daemon()
          .name("scripted-" + index)
          .start(
              () -> {
                try (s) {
                  script.serve(index, s, s.getInputStream(), s.getOutputStream());
                } catch (Exception e) {
                  if (!listener.isClosed()) {
                    failures.add(e);
                  }
                }
              });
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Socket s : accepted) {
      s.close();
    }
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads one request (head and Content-Length body); null when the connection ended first. */
  static Request readRequest(InputStream in) throws IOException {
    List<String> head = new ArrayList<>();
    for (int n = 0; n < 100; n++) {
      String line = line(in);
      if (line == null) {
        return null;
      }
      if (line.isEmpty()) {
        int length = 0;
        for (String h : head) {
          if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(h.substring(h.indexOf(':') + 1).strip());
          }
        }
        return new Request(
            List.copyOf(head), new String(in.readNBytes(length), StandardCharsets.UTF_8));
      }
      head.add(line);
    }
    throw new IOException("request head of more than 100 lines");
  }

  /** Writes {@code text} (with CRLFs as given) in one write. */
  static void send(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** A 200 answer with {@code body} and its Content-Length. */
  static String ok(String body) {
    return "HTTP/1.1 200 \r\nContent-Type: application/json\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length
        + "\r\n\r\n"
        + body;
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int n = 0; n < 16 * 1024; n++) {
      int c = in.read();
      if (c == -1) {
        return null;
      }
      if (c == '\n') {
        byte[] bytes = b.toByteArray();
        int end =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
      }
      b.write(c);
    }
    throw new IOException("request line longer than 16 KiB");
  }
}
