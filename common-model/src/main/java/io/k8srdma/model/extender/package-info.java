/**
 * The kube-scheduler HTTP extender wire types (Go package {@code
 * k8s.io/kube-scheduler/extender/v1}), with the exact JSON field names. Pod, Node and NodeList are
 * fabric8's core/v1 model classes, which read what the API server and kube-scheduler write. Every
 * type ignores unknown fields so newer schedulers can add some.
 */
package io.k8srdma.model.extender;
