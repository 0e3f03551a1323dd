package io.k8srdma.model.extender;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One node's score in a prioritize answer. The answer body, Go's {@code HostPriorityList}, is a
 * JSON array of these: a {@code List<HostPriority>}.
 *
 * @param host the node name
 * @param score 0 to {@link #MAX_EXTENDER_PRIORITY}; the scheduler multiplies it by the extender's
 *     weight and by {@code MaxNodeScore / MaxExtenderPriority} (100 / 10)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HostPriority(@JsonProperty("host") String host, @JsonProperty("score") long score) {

  /** kube-scheduler's {@code MaxExtenderPriority}: the highest score an extender may give. */
  public static final int MAX_EXTENDER_PRIORITY = 10;

  /** Rejects scores outside 0..{@value #MAX_EXTENDER_PRIORITY}, which would skew the ranking. */
  public HostPriority {
    if (score < 0 || score > MAX_EXTENDER_PRIORITY) {
      throw new IllegalArgumentException(
          "score " + score + " for " + host + " is outside 0.." + MAX_EXTENDER_PRIORITY);
    }
  }
}
