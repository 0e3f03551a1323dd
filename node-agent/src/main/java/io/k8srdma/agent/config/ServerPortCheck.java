package io.k8srdma.agent.config;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.web.server.AbstractConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Refuses a {@code server.port} that no socket can have, naming the property and the range.
 *
 * <p>Spring Boot binds any integer, and Tomcat refuses it only when it binds the socket, after the
 * whole context is up, with a stack trace whose bottom line is {@code port out of range:70000}.
 * Spring Boot's failure analysis reports this exception as one paragraph instead.
 */
final class ServerPortCheck
    implements WebServerFactoryCustomizer<AbstractConfigurableWebServerFactory>, Ordered {

  private static final int MAX_PORT = 65535;

  /** Spring Boot's own "no HTTP server" value. */
  private static final int NO_SERVER = -1;

  @Override
  public void customize(AbstractConfigurableWebServerFactory factory) {
    int port = factory.getPort();
    if (port != NO_SERVER && (port < 0 || port > MAX_PORT)) {
      throw new InvalidConfigurationPropertyValueException(
          "server.port",
          port,
          "must be between 0 and " + MAX_PORT + " (0 picks a free port, -1 runs no HTTP server)");
    }
  }

  /** After Spring Boot's own customizer, which sets the port from {@code server.port}. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
