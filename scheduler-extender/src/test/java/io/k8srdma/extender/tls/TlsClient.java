package io.k8srdma.extender.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * An HTTPS client that checks the server as kube-scheduler's Go client does: the chain against a CA
 * file and the host name of the URL against the certificate's names, while connecting to 127.0.0.1
 * (the Service's DNS name does not resolve in a test). One request per connection, in HTTP/1.0 so
 * the answer ends with the connection.
 *
 * @param context the trust (and, for mutual TLS, the client's key and certificate)
 * @param serverName the host name of the URL, which the server's certificate must name
 * @param port the server's port on 127.0.0.1
 */
public record TlsClient(SSLContext context, String serverName, int port) {

  /** A status and body. */
  public record Response(int status, String body) {}

  /**
   * Trusts the CA in {@code caFile} and, when {@code certFile} is not null, presents that
   * certificate with its key.
   */
  public static SSLContext context(Path caFile, Path certFile, Path keyFile) {
    return bundle(caFile, certFile, keyFile).createSslContext();
  }

  /** The PEM files as Spring Boot reads them for the server: the same parser on both ends. */
  private static SslBundle bundle(Path caFile, Path certFile, Path keyFile) {
    PemSslStoreDetails trust = PemSslStoreDetails.forCertificate(location(caFile));
    PemSslStoreDetails key =
        certFile == null
            ? null
            : PemSslStoreDetails.forCertificate(location(certFile))
                .withPrivateKey(location(keyFile));
    return SslBundle.of(new PemSslStoreBundle(key, trust));
  }

  /**
   * As {@link #context}, but presents the certificate even when the server asks for another CA's (a
   * JSSE or Go client leaves out a certificate the server's request does not name), to see the
   * server refuse it.
   */
  public static SSLContext presentingAnyway(Path caFile, Path certFile, Path keyFile) {
    SslBundle bundle = bundle(caFile, certFile, keyFile);
    X509ExtendedKeyManager keys = (X509ExtendedKeyManager) bundle.getManagers().getKeyManagers()[0];
    X509ExtendedKeyManager anyIssuer =
        new X509ExtendedKeyManager() {
          @Override
          public String chooseClientAlias(String[] types, Principal[] issuers, Socket socket) {
            return keys.chooseClientAlias(types, null, socket);
          }

          @Override
          public String[] getClientAliases(String type, Principal[] issuers) {
            return keys.getClientAliases(type, null);
          }

          @Override
          public String[] getServerAliases(String type, Principal[] issuers) {
            return keys.getServerAliases(type, issuers);
          }

          @Override
          public String chooseServerAlias(String type, Principal[] issuers, Socket socket) {
            return keys.chooseServerAlias(type, issuers, socket);
          }

          @Override
          public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
          }

          @Override
          public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
          }
        };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {anyIssuer}, bundle.getManagers().getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The files of a {@code kubernetes.io/tls} Secret in {@code dir}: tls.crt, tls.key, ca.crt. */
  public static SSLContext fromSecretFiles(Path dir) {
    return context(dir.resolve("ca.crt"), dir.resolve("tls.crt"), dir.resolve("tls.key"));
  }

  /** Sends one request; the TLS handshake throws if either side refuses the other. */
  public Response send(String method, String path, String jsonBody) throws IOException {
    byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
    try (SSLSocket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      String head =
          method
              + " "
              + path
              + " HTTP/1.0\r\nHost: "
              + serverName
              + ":"
              + port
              + "\r\n"
              + (jsonBody == null
                  ? ""
                  : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n")
              + "\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return parse(socket.getInputStream());
    }
  }

  /** The handshake alone, for what the server presents. */
  public SSLSocket connect() throws IOException {
    Socket plain = new Socket();
    plain.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    plain.setSoTimeout(20_000);
    SSLSocket tls =
        (SSLSocket) context.getSocketFactory().createSocket(plain, serverName, port, true);
    SSLParameters parameters = tls.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    parameters.setServerNames(List.of(new SNIHostName(serverName)));
    tls.setSSLParameters(parameters);
    tls.startHandshake();
    return tls;
  }

  private static Response parse(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    String text = all.toString(StandardCharsets.UTF_8);
    int headEnd = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.") || headEnd < 0) {
      throw new IOException("not an HTTP answer: " + text);
    }
    int status = Integer.parseInt(text.substring(9, 12));
    return new Response(status, text.substring(headEnd + 4));
  }

  private static String location(Path file) {
    return "file:" + file.toAbsolutePath();
  }
}
