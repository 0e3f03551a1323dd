package io.k8srdma.extender.tls;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.extender.config.ExtenderProperties;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.web.ServerProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerSslBundle;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Mutual TLS for the verbs: registers {@link ClientCertificateFilter} when {@code
 * k8s-rdma.extender.verbs.require-client-certificate} is true, after checking that the server can
 * receive client certificates at all (else every verb would be refused, and kube-scheduler could
 * place no RDMA pod) and verifies them against a trust store of its own (else the JVM's default CAs
 * would, and any publicly issued certificate would pass for kube-scheduler's).
 */
@Configuration(proxyBeanMethods = false)
public class ClientCertificateConfiguration {

  static final String KEY = "k8s-rdma.extender.verbs.require-client-certificate";

  @Bean
  FilterRegistrationBean<ClientCertificateFilter> clientCertificateFilter(
      ExtenderProperties props,
      ServerProperties server,
      ObjectProvider<SslBundles> bundles,
      ObjectMapper json) {
    boolean required = props.verbs().requireClientCertificate();
    if (required) {
      requireClientAuthentication(server.getSsl(), bundles.getIfAvailable());
    }
    FilterRegistrationBean<ClientCertificateFilter> registration =
        new FilterRegistrationBean<>(new ClientCertificateFilter(json));
    registration.setEnabled(required);
    // Before anything reads the body or records the request as a verb call.
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }

  /**
   * @param bundles the named SSL bundles, for {@code server.ssl.bundle}
   * @throws InvalidConfigurationPropertyValueException when the server serves plain HTTP, asks for
   *     no client certificate, or has no trust store to verify one against
   */
  static void requireClientAuthentication(Ssl ssl, SslBundles bundles) {
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
    // The bundle the web server was built from, whichever way it was configured. Without a trust
    // store Tomcat (JSSE) falls back to the JVM's cacerts: a certificate that any public CA
    // issued for client authentication would then be "verified" and get the verbs.
    if (WebServerSslBundle.get(ssl, bundles).getStores().getTrustStore() == null) {
      throw new InvalidConfigurationPropertyValueException(
          KEY,
          true,
          "the server has no trust store, so it would verify client certificates against the"
              + " JVM's default CAs and take one from any public CA for kube-scheduler's; set the"
              + " CA of the scheduler's certificate as its trust store"
              + " (spring.ssl.bundle.pem.<bundle>.truststore.certificate, or"
              + " server.ssl.trust-certificate)");
    }
  }

  /** Key material in any of the ways Spring Boot takes it (as WebServerSslBundle reads them). */
  private static boolean configured(Ssl ssl) {
    return ssl.getBundle() != null
        || ssl.getCertificate() != null
        || ssl.getKeyStore() != null
        || "PKCS11".equals(ssl.getKeyStoreType());
  }
}
