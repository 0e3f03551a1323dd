package io.k8srdma.charttest;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.boot.context.properties.ConfigurationPropertiesBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.BoundPropertiesTrackingBindHandler;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.SystemEnvironmentOrigin;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * A Spring environment whose process environment is a container's, given as a map, in place of the
 * test JVM's. The property source keeps Spring's name for it, {@code systemEnvironment}: Spring
 * Boot then binds it with relaxed names as it does real environment variables ({@code
 * K8S_RDMA_EXTENDER_AGENT_PORT} for {@code k8s-rdma.extender.agent-port}).
 */
public final class ContainerEnvironment extends StandardEnvironment {

  private final Map<String, Object> variables;

  public ContainerEnvironment(Map<String, String> variables) {
    this.variables = Map.copyOf(variables);
    getPropertySources()
        .replace(
            SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            new SystemEnvironmentPropertySource(
                SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, this.variables));
  }

  @Override
  public Map<String, Object> getSystemEnvironment() {
    // null while the superclass constructor builds its sources; the constructor replaces them
    return variables == null ? super.getSystemEnvironment() : variables;
  }

  /**
   * The environment variables that the application's own configuration properties (under {@code
   * io.k8srdma}) took a value from. Spring Boot's check for unknown keys leaves environment
   * variables out, so a variable the chart misspells would be ignored without a word; binding the
   * properties again while tracking the origin of each value names the variables that were read.
   */
  public static Set<String> boundVariables(ApplicationContext ctx) {
    Set<String> bound = new TreeSet<>();
    BoundPropertiesTrackingBindHandler tracking =
        new BoundPropertiesTrackingBindHandler(
            p -> variableOf(p.getOrigin()).ifPresent(bound::add));
    Binder binder = Binder.get((ConfigurableEnvironment) ctx.getEnvironment());
    for (ConfigurationPropertiesBean bean : ConfigurationPropertiesBean.getAll(ctx).values()) {
      if (bean.getInstance().getClass().getPackageName().startsWith("io.k8srdma")) {
        binder.bind(bean.getAnnotation().prefix(), bean.asBindTarget(), tracking);
      }
    }
    return bound;
  }

  private static Optional<String> variableOf(Origin origin) {
    if (origin instanceof SystemEnvironmentOrigin env) {
      return Optional.of(env.getProperty());
    }
    if (origin instanceof PropertySourceOrigin source
        && SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(source.getPropertySource().getName())) {
      return Optional.of(source.getPropertyName());
    }
    return Optional.empty();
  }
}
