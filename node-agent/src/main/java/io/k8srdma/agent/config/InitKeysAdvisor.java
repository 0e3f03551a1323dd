package io.k8srdma.agent.config;

import java.util.stream.StreamSupport;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.stereotype.Component;

/**
 * Keeps the init settings ({@code k8s-rdma.agent.init.*}) out of {@link AgentProperties}' check for
 * unknown keys.
 *
 * <p>Spring's check ({@code ignoreUnknownFields = false}) reports every key under the bound prefix
 * that the record did not take, and the init settings live under the agent's prefix. They belong to
 * {@code InitProperties}, which checks its own keys but is bound only in init mode (so that a bad
 * policy cannot stop the serving agent), while the chart may hand them to both containers. Only
 * that one check sees the keys hidden; the binding itself and every other one see them all.
 */
@Component
class InitKeysAdvisor implements ConfigurationPropertiesBindHandlerAdvisor {

  private static final ConfigurationPropertyName AGENT =
      ConfigurationPropertyName.of("k8s-rdma.agent");
  private static final ConfigurationPropertyName INIT =
      ConfigurationPropertyName.of("k8s-rdma.agent.init");

  @Override
  public BindHandler apply(BindHandler handler) {
    return new AbstractBindHandler(handler) {
      @Override
      public void onFinish(
          ConfigurationPropertyName name, Bindable<?> target, BindContext context, Object result)
          throws Exception {
        // The unknown-key check runs when the top-level object is finished, over the context's
        // sources.
        boolean agentDone = context.getDepth() == 0 && AGENT.equals(name);
        super.onFinish(name, target, agentDone ? new WithoutInitKeys(context) : context, result);
      }
    };
  }

  private static boolean isInitKey(ConfigurationPropertyName name) {
    return INIT.equals(name) || INIT.isAncestorOf(name);
  }

  /** The binding's context, its property sources without the init keys. */
  private record WithoutInitKeys(BindContext context) implements BindContext {

    @Override
    public Binder getBinder() {
      return context.getBinder();
    }

    @Override
    public int getDepth() {
      return context.getDepth();
    }

    @Override
    public Iterable<ConfigurationPropertySource> getSources() {
      // Filtering keeps a source iterable and its origin, which the check needs to name the key.
      return StreamSupport.stream(context.getSources().spliterator(), false)
          .map(source -> source.filter(name -> !isInitKey(name)))
          .toList();
    }

    @Override
    public ConfigurationProperty getConfigurationProperty() {
      return context.getConfigurationProperty();
    }
  }
}
