package io.k8srdma.extender.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the extender's informers without waiting for the API, and keeps them trying: an API server
 * that is down while the extender starts (a control-plane upgrade, say) must not crash it into a
 * restart back-off that outlasts the outage. Readiness stays down until each informer has listed
 * once ({@link SharedIndexInformer#hasSynced()}).
 */
public final class BackgroundStart {

  private static final Logger log = LoggerFactory.getLogger(BackgroundStart.class);

  private BackgroundStart() {}

  /**
   * Starts {@code informer} in the background. Every failed list or watch is logged in one line and
   * retried with fabric8's back-off (doubling from {@code watchReconnectInterval}, 1 s by default,
   * up to 32 times that), for as long as the informer runs.
   *
   * @param what what it informs about, for the log ("pod", "node")
   * @return the informer, running
   */
  public static <T extends HasMetadata> SharedIndexInformer<T> start(
      SharedIndexInformer<T> informer, String what) {
    informer.exceptionHandler(
        (started, t) -> {
          log.warn(
              "{} informer: {} failed, retrying: {}",
              what,
              started ? "watch or relist" : "list",
              describe(t));
          return true;
        });
    informer
        .start()
        .whenComplete(
            (ok, t) -> {
              if (t == null) {
                log.info("{} informer: listed, now watching", what);
              }
            });
    return informer;
  }

  /** The exception's message and its root cause's, which says what was wrong with the API. */
  static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(t.getMessage());
    return root == t ? message : message + " (" + root + ")";
  }
}
