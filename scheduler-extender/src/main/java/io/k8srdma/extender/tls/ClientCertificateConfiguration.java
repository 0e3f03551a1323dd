package io.k8srdma.extender.tls;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.extender.config.ExtenderProperties;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Mutual TLS for the verbs: registers {@link ClientCertificateFilter} when {@code
 * k8s-rdma.extender.verbs.require-client-certificate} is true, after checking that the server can
 * receive client certificates at all (else every verb would be refused, and kube-scheduler could
 * place no RDMA pod).
 */
@Configuration(proxyBeanMethods = false)
public class ClientCertificateConfiguration {

  static final String KEY = "k8s-rdma.extender.verbs.require-client-certificate";

  @Bean
  FilterRegistrationBean<ClientCertificateFilter> clientCertificateFilter(
      ExtenderProperties props, ServerProperties server, ObjectMapper json) {
    boolean required = props.verbs().requireClientCertificate();
    if (required) {
      requireClientAuthentication(server.getSsl());
    }
    FilterRegistrationBean<ClientCertificateFilter> registration =
        new FilterRegistrationBean<>(new ClientCertificateFilter(json));
    registration.setEnabled(required);
    // Before anything reads the body or records the request as a verb call.
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }

  /**
   * @throws InvalidConfigurationPropertyValueException when the server serves plain HTTP or asks
   *     for no client certificate
   */
  static void requireClientAuthentication(Ssl ssl) {
    if (!Ssl.isEnabled(ssl) || !configured(ssl)) {
      throw new InvalidConfigurationPropertyValueException(
          KEY,
          true,
          "the server serves plain HTTP; set server.ssl.bundle (or server.ssl.certificate and"
              + " server.ssl.certificate-private-key), server.ssl.client-auth=want and the trust"
              + " store of the clients' CA (docs/operations.md, \"TLS\")");
    }
    if (ssl.getClientAuth() == null || ssl.getClientAuth() == Ssl.ClientAuth.NONE) {
      throw new InvalidConfigurationPropertyValueException(
          KEY,
          true,
          "server.ssl.client-auth is none, so no client can present a certificate; set it to"
              + " want (probes and metrics need none) or need");
    }
  }

  private static boolean configured(Ssl ssl) {
    return ssl.getBundle() != null || ssl.getCertificate() != null || ssl.getKeyStore() != null;
  }
}
