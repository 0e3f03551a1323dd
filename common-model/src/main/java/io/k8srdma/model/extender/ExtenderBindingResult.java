package io.k8srdma.model.extender;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer to a bind call: {@code {}} on success.
 *
 * @param error why binding failed, or null on success
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExtenderBindingResult(@JsonProperty("error") String error) {

  /** Success: serialises as {@code {}}. */
  public static ExtenderBindingResult ok() {
    return new ExtenderBindingResult(null);
  }

  /** A failed bind. */
  public static ExtenderBindingResult failed(String error) {
    return new ExtenderBindingResult(error);
  }
}
