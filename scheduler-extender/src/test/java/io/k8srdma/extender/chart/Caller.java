package io.k8srdma.extender.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.k8srdma.extender.ExtenderHttp;
import io.k8srdma.extender.tls.TlsClient;
import io.k8srdma.model.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.net.ssl.SSLContext;

/** Calls the extender on 127.0.0.1 over plain HTTP or TLS, as the chart configures it. */
interface Caller {

  /** The status of a request; a failed connection or handshake throws. */
  int status(String method, String path, String body);

  /** POSTs {@code body} as JSON; the answer must be a 200. */
  JsonNode post(String path, Object body);

  static Caller http(int port) {
    ExtenderHttp http = new ExtenderHttp(port);
    return new Caller() {
      @Override
      public int status(String method, String path, String body) {
        try {
          return method.equals("GET")
              ? http.getRaw(path).statusCode()
              : http.postRaw(path, body).statusCode();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }

      @Override
      public JsonNode post(String path, Object body) {
        return http.post(path, body);
      }
    };
  }

  /**
   * @param serverName the host of the URL, which the server's certificate must name
   */
  static Caller tls(SSLContext context, String serverName, int port) {
    TlsClient client = new TlsClient(context, serverName, port);
    return new Caller() {
      @Override
      public int status(String method, String path, String body) {
        try {
          return client.send(method, path, body).status();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public JsonNode post(String path, Object body) {
        try {
          TlsClient.Response r = client.send("POST", path, Json.mapper().writeValueAsString(body));
          assertThat(r.status()).as(r.body()).isEqualTo(200);
          return Json.mapper().readTree(r.body());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    };
  }
}
