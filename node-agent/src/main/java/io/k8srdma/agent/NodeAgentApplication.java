package io.k8srdma.agent;

import io.k8srdma.agent.config.AgentProperties.Mode;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/** Entry point: {@code serve} (default) runs the HTTP agent, {@code init} enables VFs and exits. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class NodeAgentApplication {

  private static final String MODE_PROPERTY = "k8s-rdma.agent.mode";
  private static final String MODE_ARG = "--" + MODE_PROPERTY + "=";

  /** Exit status for a mode that is neither serve nor init (2: a usage error). */
  static final int BAD_MODE = 2;

  public static void main(String[] args) {
    Mode mode;
    try {
      mode = modeOf(args, System::getProperty, System.getenv());
    } catch (IllegalArgumentException e) {
      // Spring has not started, so there is no failure analysis to report it: one line.
      System.err.println("APPLICATION FAILED TO START: " + e.getMessage());
      System.exit(BAD_MODE);
      return;
    }
    ConfigurableApplicationContext ctx = application(mode).run(springArgs(args));
    if (mode == Mode.INIT) {
      System.exit(SpringApplication.exit(ctx));
    }
  }

  /**
   * The mode, decided before Spring starts because it chooses whether a web server runs: a first
   * argument {@code init} or {@code serve}, else {@code --k8s-rdma.agent.mode=}, else the system
   * property, else the environment variable {@code K8S_RDMA_AGENT_MODE}, else {@code serve}.
   */
  public static Mode modeOf(
      String[] args, UnaryOperator<String> sysProps, Map<String, String> env) {
    return positionalMode(args)
        .or(() -> Arrays.stream(args).filter(a -> a.startsWith(MODE_ARG)).reduce((a, b) -> b))
        .map(a -> a.startsWith(MODE_ARG) ? a.substring(MODE_ARG.length()) : a)
        .or(() -> Optional.ofNullable(sysProps.apply(MODE_PROPERTY)))
        .or(() -> Optional.ofNullable(env.get("K8S_RDMA_AGENT_MODE")))
        .map(NodeAgentApplication::parseMode)
        .orElse(Mode.SERVE);
  }

  /** The application for {@code mode}: {@code init} runs without a web server. */
  public static SpringApplication application(Mode mode) {
    SpringApplication app = new SpringApplication(NodeAgentApplication.class);
    if (mode == Mode.INIT) {
      app.setWebApplicationType(WebApplicationType.NONE);
    }
    return app;
  }

  /**
   * The arguments for Spring: a positional mode becomes {@code --k8s-rdma.agent.mode=<mode>}, so
   * the mode-conditional beans see the same mode that chose the web type.
   */
  public static String[] springArgs(String[] args) {
    return positionalMode(args)
        .map(
            m -> {
              String[] out = Arrays.copyOf(args, args.length);
              out[0] = MODE_ARG + m.toLowerCase(Locale.ROOT);
              return out;
            })
        .orElse(args);
  }

  private static Optional<String> positionalMode(String[] args) {
    return Optional.of(args)
        .filter(a -> a.length > 0)
        .map(a -> a[0])
        .filter(a -> a.equalsIgnoreCase("init") || a.equalsIgnoreCase("serve"));
  }

  private static Mode parseMode(String text) {
    try {
      return Mode.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          MODE_PROPERTY + " must be serve or init, got '" + text + "'", e);
    }
  }
}
