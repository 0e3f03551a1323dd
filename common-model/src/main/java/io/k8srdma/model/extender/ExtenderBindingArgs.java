package io.k8srdma.model.extender;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of a bind call: bind this pod to this node.
 *
 * <p>kube-scheduler sends the Go field names of {@code extenderv1.ExtenderBindingArgs} ({@code
 * PodName}, {@code PodNamespace}, {@code PodUID}, {@code Node}: the type has no JSON tags); the
 * lower-case names are read too (see {@link ExtenderArgs}).
 *
 * @param podName the pod's name
 * @param podNamespace the pod's namespace
 * @param podUID the pod's UID, to bind exactly the pod that was scheduled
 * @param node the chosen node
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExtenderBindingArgs(
    @JsonProperty("podName") @JsonAlias("PodName") String podName,
    @JsonProperty("podNamespace") @JsonAlias("PodNamespace") String podNamespace,
    @JsonProperty("podUID") @JsonAlias("PodUID") String podUID,
    @JsonProperty("node") @JsonAlias("Node") String node) {}
