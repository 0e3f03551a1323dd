package io.k8srdma.agent.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.agent.api.ApiErrorHandler.ApiError;
import io.k8srdma.agent.config.ConditionalOnServeMode;
import io.k8srdma.web.ErrorBody;
import io.k8srdma.web.JsonErrorReportValve;
import io.k8srdma.web.QueryStringCheck;
import java.time.Instant;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The requests Tomcat refuses, or would serve with parameters dropped, answered as JSON in the
 * shape of the API's other errors ({@link ApiError}): Tomcat's own error answers through {@link
 * JsonErrorReportValve} instead of its HTML page, a query string it cannot decode ({@code ?pf=%ZZ})
 * with a 400 from {@link QueryStringCheck}.
 */
@ConditionalOnServeMode
@Configuration(proxyBeanMethods = false)
public class TomcatErrors {

  static final ErrorBody API_ERROR =
      (status, message, path) ->
          new ApiError(Instant.now(), status, ErrorBody.reasonPhrase(status), message, path);

  @Bean
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonTomcatErrors() {
    return JsonErrorReportValve.customizer(Valve.class);
  }

  @Bean
  QueryStringCheck queryStringCheck(ObjectMapper mapper) {
    // Not logged, as none of the agent's 400s: the caller gets the reason.
    return new QueryStringCheck(mapper, API_ERROR, NOPLogger.NOP_LOGGER);
  }

  /** The valve with the agent's error body, for Tomcat to build by class name. */
  public static class Valve extends JsonErrorReportValve {

    /**
     * Logs under {@link TomcatErrors}, in the agent's package, so that its logging levels apply.
     */
    public Valve() {
      super(LoggerFactory.getLogger(TomcatErrors.class), API_ERROR);
    }
  }
}
