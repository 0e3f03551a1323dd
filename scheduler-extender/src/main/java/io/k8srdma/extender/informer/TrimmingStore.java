package io.k8srdma.extender.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.function.UnaryOperator;

/**
 * An informer's store that keeps each object reduced to what the extender reads of it (what
 * client-go's informer transforms do for kube-scheduler). The informer hands the same, reduced
 * object to its event handlers. The reduction must keep the name, namespace and resourceVersion,
 * which the informer itself uses.
 */
public final class TrimmingStore<T extends HasMetadata> extends BasicItemStore<T> {

  /**
   * Objects per page when a trimmed informer lists: unpaged, the API server sends all of them in
   * one answer, decoded whole before the store trims any (~2 GB of heap for 100,000 pods). 500 is
   * client-go's page size.
   */
  static final long LIST_PAGE = 500;

  private final UnaryOperator<T> trim;

  /**
   * @param trim reduces an object in place and returns it; must be idempotent. Not a copy: the
   *     informer hands event handlers the object it passed to the store, so after the first list
   *     they would see the whole object while the store kept the copy
   */
  public TrimmingStore(UnaryOperator<T> trim) {
    super(Cache::metaNamespaceKeyFunc);
    this.trim = trim;
  }

  /**
   * An informer (not started) over {@code source} that lists in pages and keeps each object reduced
   * by {@code trim}: the two go together, as trimming saves nothing while a whole list still
   * arrives in one answer.
   *
   * @param trim as for the constructor
   */
  public static <T extends HasMetadata> SharedIndexInformer<T> informer(
      Informable<T> source, UnaryOperator<T> trim) {
    SharedIndexInformer<T> informer = source.withLimit(LIST_PAGE).runnableInformer(0);
    informer.itemStore(new TrimmingStore<>(trim));
    return informer;
  }

  @Override
  public T put(String key, T object) {
    return super.put(key, trim.apply(object));
  }
}
