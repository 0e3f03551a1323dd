package io.k8srdma.agent.init;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of {@code init} mode, under {@code k8s-rdma.agent.init}.
 *
 * <p>Bound only in {@code init} mode, so a bad policy cannot stop the {@code serve} agent. Invalid
 * entries stop the start-up with one message naming every offending key, e.g. {@code
 * k8s-rdma.agent.init.policies[0].num-vfs}, so a bad policy never half-applies.
 *
 * @param policies which PFs get how many VFs; a PF is governed by the first policy that matches it
 * @param vfTimeout how long to wait, per PF, for the kernel to create the {@code virtfnN} links
 *     after a write (the sriov-network-operator waits 120 s too)
 * @param pollInterval how often to look for those links while waiting
 * @param removeVfsInUse change the VF count of a PF even when some of its VFs are in use by pods;
 *     the kernel removes every VF on such a change, so by default init refuses and fails instead
 */
@Validated
@ConditionalOnProperty(name = "k8s-rdma.agent.mode", havingValue = "init")
// A misspelt key (link-layr, num-vf) would otherwise leave a policy wider than its author meant.
@ConfigurationProperties(prefix = InitProperties.PREFIX, ignoreUnknownFields = false)
public record InitProperties(
    @DefaultValue List<VfPolicy> policies,
    @DefaultValue("120s") @NotNull Duration vfTimeout,
    @DefaultValue("500ms") @NotNull Duration pollInterval,
    @DefaultValue("false") boolean removeVfsInUse) {

  static final String PREFIX = "k8s-rdma.agent.init";

  public InitProperties {
    policies = List.copyOf(policies);
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < policies.size(); i++) {
      for (String problem : policies.get(i).problems()) {
        problems.add(PREFIX + ".policies[" + i + "]." + problem);
      }
    }
    requirePositive("vf-timeout", vfTimeout, problems);
    requirePositive("poll-interval", pollInterval, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  private static void requirePositive(String key, Duration value, List<String> problems) {
    if (value != null && (value.isNegative() || value.isZero())) {
      problems.add(PREFIX + "." + key + ": must be positive, got " + value);
    }
  }
}
