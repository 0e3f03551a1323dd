package io.k8srdma.extender.tls;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 403 to every request but GET and HEAD that came without a verified client certificate.
 * The verbs bind pods with the extender's API rights, so only kube-scheduler may call them; what is
 * only read (probes, metrics, {@code /inventory}) stays open, as kube-scheduler's own {@code
 * /healthz} is. Deny by method, not by path: no spelling of a path can reach a verb unchecked.
 *
 * <p>The TLS handshake has already refused a certificate the trust store does not verify, so a
 * certificate present here is one the configured CA signed.
 */
public class ClientCertificateFilter extends OncePerRequestFilter {

  /** Where the servlet container puts the client's verified chain. */
  static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";

  private static final Logger log = LoggerFactory.getLogger(ClientCertificateFilter.class);
  private static final Set<String> OPEN_METHODS = Set.of("GET", "HEAD");
  private static final String WHY =
      "needs a client certificate signed by the extender's CA"
          + " (k8s-rdma.extender.verbs.require-client-certificate is true); kube-scheduler"
          + " presents one with tlsConfig.certFile and tlsConfig.keyFile in its extender entry";

  private final ObjectMapper json;

  /**
   * @param json writes the error body
   */
  public ClientCertificateFilter(ObjectMapper json) {
    this.json = json;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (OPEN_METHODS.contains(request.getMethod()) || hasClientCertificate(request)) {
      chain.doFilter(request, response);
      return;
    }
    String what = request.getMethod() + " " + request.getRequestURI();
    log.warn(
        "answered 403 to {} from {}: no client certificate{}",
        what,
        request.getRemoteAddr(),
        request.isSecure() ? "" : " (plain HTTP)");
    refuse(response, what + " " + WHY);
  }

  private static boolean hasClientCertificate(HttpServletRequest request) {
    return request.getAttribute(CERTIFICATES) instanceof X509Certificate[] chain
        && chain.length > 0;
  }

  /** The same JSON error body as every other refused request. */
  private void refuse(HttpServletResponse response, String message) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("status", HttpStatus.FORBIDDEN.value());
    response.setStatus(HttpStatus.FORBIDDEN.value());
    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    json.writeValue(response.getWriter(), body);
  }
}
