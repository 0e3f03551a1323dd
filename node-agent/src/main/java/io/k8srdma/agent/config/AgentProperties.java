package io.k8srdma.agent.config;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The agent's settings, under {@code k8s-rdma.agent}.
 *
 * @param mode {@code serve} (default) runs the HTTP agent; {@code init} applies the VF policy and
 *     exits (also selected by the first argument {@code init})
 * @param hostRoot where the host's {@code /} is mounted; the agent reads {@code <root>/sys}, {@code
 *     <root>/var/lib/cni} and {@code <root>/var/run/netns} ({@code <root>/dev/infiniband} is
 *     mounted by the chart for the device plugin to come, and not read yet)
 * @param nodeName the Kubernetes node name reported in the inventory; application.yaml defaults it
 *     to env {@code NODE_NAME}, else {@code HOSTNAME}, else {@code localhost}
 * @param scanInterval how often the host is rescanned
 * @param netlink whether to read VF MAC/GUID/rates over rtnetlink
 */
@Validated
// A misspelt key (scan-intervall) would otherwise be ignored and its default used without a word.
// The init settings below this prefix are InitProperties' to check (InitKeysAdvisor).
@ConfigurationProperties(prefix = "k8s-rdma.agent", ignoreUnknownFields = false)
public record AgentProperties(
    @DefaultValue("serve") @NotNull Mode mode,
    @DefaultValue("/") @NotBlank String hostRoot,
    @NotBlank String nodeName,
    @DefaultValue("10s") @NotNull Duration scanInterval,
    @DefaultValue("true") boolean netlink) {

  public AgentProperties {
    if (scanInterval != null && scanInterval.toMillis() < 1) {
      // The scanner's timer counts in milliseconds.
      throw new IllegalArgumentException(
          "k8s-rdma.agent.scan-interval must be at least 1ms, got " + scanInterval);
    }
  }

  /**
   * The host root as a path. Kept a string in the record because Spring's Path conversion turns
   * {@code /} into a class path resource location.
   */
  public Path hostRootPath() {
    return Path.of(hostRoot);
  }

  /** What the process does. */
  public enum Mode {
    SERVE,
    INIT
  }
}
