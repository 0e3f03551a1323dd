package io.k8srdma.model.extender;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of a bind call: bind this pod to this node.
 *
 * @param podName the pod's name
 * @param podNamespace the pod's namespace
 * @param podUID the pod's UID, to bind exactly the pod that was scheduled
 * @param node the chosen node
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExtenderBindingArgs(
    @JsonProperty("podName") String podName,
    @JsonProperty("podNamespace") String podNamespace,
    @JsonProperty("podUID") String podUID,
    @JsonProperty("node") String node) {}
