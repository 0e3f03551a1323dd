package io.k8srdma.extender.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8srdma.web.ErrorBody;
import io.k8srdma.web.JsonErrorReportValve;
import io.k8srdma.web.QueryStringCheck;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The requests Tomcat refuses, or would serve with parameters dropped, answered as JSON in the
 * extender's shape ({@code {"error": ..., "status": ...}}): Tomcat's own error answers through
 * {@link JsonErrorReportValve} instead of its HTML page, a query string it cannot decode ({@code
 * ?node=%ZZ}) with a 400 from {@link QueryStringCheck}.
 */
@Configuration(proxyBeanMethods = false)
public class TomcatErrors {

  static final ErrorBody EXTENDER_ERROR =
      (status, message, path) -> ErrorAnswers.body(status, message);

  /**
   * Where the query string check logs: a name in the extender's package (the one its lines have
   * always carried), so that logging levels set for the extender apply and log searches find them.
   */
  private static final String QUERY_STRING_LOG = "io.k8srdma.extender.api.QueryStringCheck";

  @Bean
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> jsonTomcatErrors() {
    return JsonErrorReportValve.customizer(Valve.class);
  }

  @Bean
  QueryStringCheck queryStringCheck(ObjectMapper mapper) {
    // Logged, as the extender's other 400s: kube-scheduler only logs the status.
    return new QueryStringCheck(mapper, EXTENDER_ERROR, LoggerFactory.getLogger(QUERY_STRING_LOG));
  }

  /** The valve with the extender's error body, for Tomcat to build by class name. */
  public static class Valve extends JsonErrorReportValve {

    /**
     * Logs under {@link TomcatErrors}, in the extender's package, so that its logging levels apply.
     */
    public Valve() {
      super(LoggerFactory.getLogger(TomcatErrors.class), EXTENDER_ERROR);
    }
  }
}
