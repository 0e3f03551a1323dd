package io.k8srdma.model.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.0 requests written byte for byte to a service on 127.0.0.1 (published in common-model's
 * test jar), for what {@code java.net.http} refuses to send: a query with {@code %ZZ}, a control
 * character in the request line, a header past the server's limit. HTTP/1.0, so that the answer is
 * neither chunked nor kept alive: it ends when the server closes the connection.
 */
public final class RawHttp {

  private RawHttp() {}

  /**
   * An answer.
   *
   * @param status the status code
   * @param head the status line and headers
   * @param body the body
   */
  public record Answer(int status, String head, String body) {}

  /** Sends {@code method target} with {@code headers} (each {@code Name: value}) and no body. */
  public static Answer send(int port, String method, String target, String... headers)
      throws IOException {
    return send(port, method, target, new byte[0], headers);
  }

  /**
   * Sends {@code method target} with {@code headers} (each {@code Name: value}) and {@code body}
   * (with its {@code Content-Length} when it is not empty).
   */
  public static Answer send(int port, String method, String target, byte[] body, String... headers)
      throws IOException {
    StringBuilder request = new StringBuilder(method + " " + target + " HTTP/1.0\r\n");
    request.append("Host: 127.0.0.1\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    if (body.length > 0) {
      request.append("Content-Length: ").append(body.length).append("\r\n");
    }
    request.append("\r\n");
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().write(body);
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int end = answer.indexOf("\r\n\r\n");
      String head = end < 0 ? answer : answer.substring(0, end);
      String[] statusLine = head.split(" ", 3);
      return new Answer(
          Integer.parseInt(statusLine[1]), head, end < 0 ? "" : answer.substring(end + 4));
    }
  }
}
