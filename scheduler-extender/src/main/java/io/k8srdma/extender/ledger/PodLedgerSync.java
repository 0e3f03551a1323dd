package io.k8srdma.extender.ledger;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.k8srdma.extender.informer.BackgroundStart;
import io.k8srdma.extender.informer.TrimmingStore;
import io.k8srdma.model.PodEssentials;
import io.k8srdma.model.assignment.AssignmentCodec;
import io.k8srdma.model.assignment.InvalidAssignmentException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link Ledger} in step with the pods in the API through a fabric8 informer: a pod
 * carrying {@code k8s-rdma.io/assignment} that has not terminated holds its VFs; a deleted pod or
 * one in phase {@code Succeeded}/{@code Failed} frees them at once.
 *
 * <p>The informer watches what kube-scheduler's own pod informer watches: pods not yet terminated
 * (a field selector on {@code status.phase}, so a pod that finishes leaves the watch as a delete),
 * and it keeps only their {@link PodEssentials}: a cluster has many more pods than nodes, and most
 * of a decoded pod is never read here.
 */
public class PodLedgerSync implements ResourceEventHandler<Pod>, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PodLedgerSync.class);

  /** The pod field kube-scheduler's informer selects on (fields, unlike annotations, can be). */
  static final String PHASE = "status.phase";

  /**
   * Pods read per {@link #confirmLapsingDecisions} call; decisions beyond it are held unread until
   * the next call, so that a burst of them cannot hold up the upkeep.
   */
  static final int MAX_READS_PER_CHECK = 32;

  private final KubernetesClient client;
  private final Ledger ledger;
  private final SharedIndexInformer<Pod> informer;
  private volatile boolean complete;

  /**
   * Consecutive {@link LedgerUpkeep} runs that found the informer not watching (its thread only).
   */
  private int runsNotWatching;

  /**
   * @param client the API; null when there is none (the ledger then holds only this process's own
   *     decisions)
   */
  public PodLedgerSync(KubernetesClient client, Ledger ledger) {
    this.client = client;
    this.ledger = ledger;
    this.informer = client == null ? null : start(client);
  }

  /** Starts the informer in the background; see {@link #synced()}. */
  private SharedIndexInformer<Pod> start(KubernetesClient client) {
    SharedIndexInformer<Pod> pods =
        TrimmingStore.informer(
            client
                .pods()
                .inAnyNamespace()
                .withoutField(PHASE, "Succeeded")
                .withoutField(PHASE, "Failed"),
            PodEssentials::trim);
    pods.addEventHandler(this);
    return BackgroundStart.start(pods, "pod");
  }

  /**
   * The pod {@code namespace/name} as the informer last saw it, reduced to its {@link
   * PodEssentials}; empty without an API or when the informer does not know it. Shared with the
   * informer: the caller must not modify it.
   */
  public Optional<Pod> cached(String namespace, String name) {
    if (informer == null) {
      return Optional.empty();
    }
    return Optional.ofNullable(informer.getStore().getByKey(namespace + "/" + name));
  }

  /**
   * Whether the ledger holds every pod the informer has listed (readiness). The informer hands its
   * list to the handler through a queue, so the first time it reports the list done, its pods are
   * applied here directly. Events still queued then repeat what they carry: at most a pod's older
   * version for a moment, until its newer event follows.
   */
  public boolean synced() {
    if (informer == null || complete) {
      return true;
    }
    if (!informer.hasSynced()) {
      return false;
    }
    synchronized (this) {
      if (!complete) {
        applyListed(informer.getStore().list(), informer.getStore()::getByKey);
        complete = true;
      }
    }
    return true;
  }

  /**
   * Applies the listed pods as the store holds them now ({@code current}, by {@code
   * namespace/name}): a pod deleted since the list was taken is gone from the store before its
   * delete reaches {@link #onDelete}, and applying the listed copy after that delete would hold its
   * VFs for good. The handlers share this object's lock, so no event interleaves with a pod here.
   */
  synchronized void applyListed(List<Pod> listed, Function<String, Pod> current) {
    for (Pod pod : listed) {
      Pod now = current.apply(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName());
      if (now != null) {
        apply(now);
      }
    }
  }

  /** Whether the informer is watching now (true without an API, where nothing is to watch). */
  public boolean watching() {
    return informer == null || informer.isWatching();
  }

  /**
   * Called on every {@link LedgerUpkeep} run: while the informer is not watching (its watch broke,
   * or it is listing again), it cannot show the pods bind has placed, so the ledger holds their
   * in-flight decisions instead of letting them expire. One line is logged when that has lasted two
   * runs and one when it ends.
   */
  public void holdDecisionsWhileNotWatching() {
    if (informer == null || !informer.hasSynced()) {
      return;
    }
    if (!watching()) {
      int held = ledger.holdInFlight();
      // The watch is re-established every few minutes, so one run may catch it in between: hold
      // at once, but say so only when the next run finds it still down.
      if (++runsNotWatching == 2) {
        log.warn(
            "pod informer is not watching: holding in-flight decisions ({} now) until it can"
                + " confirm them",
            held);
      }
    } else {
      if (runsNotWatching >= 2) {
        log.info("pod informer is watching again: in-flight decisions expire as usual");
      }
      runsNotWatching = 0;
    }
  }

  /**
   * Called on every {@link LedgerUpkeep} run, after {@link #holdDecisionsWhileNotWatching} and
   * before the ledger purges expired decisions: reads from the API the pod of each in-flight
   * decision that would lapse within {@code horizon}. A decision lapses unconfirmed when its bind
   * failed or its pod went before the informer saw it, but also when the informer lags more than
   * {@code in-flight-timeout} behind the API, and freeing its VFs then would give them out twice.
   * So a decision is held for another timeout when the API shows its pod, not terminated, with this
   * assignment, and when the pod cannot be read; otherwise it lapses.
   */
  public void confirmLapsingDecisions(Duration horizon) {
    if (client == null) {
      return;
    }
    List<Ledger.InFlight> lapsing = ledger.lapsingWithin(horizon);
    boolean readable = true;
    for (int i = 0; i < lapsing.size(); i++) {
      Ledger.InFlight decision = lapsing.get(i);
      if (readable && i < MAX_READS_PER_CHECK) {
        readable = confirm(decision);
      } else {
        ledger.renew(decision);
      }
    }
    if (lapsing.size() > MAX_READS_PER_CHECK && readable) {
      log.warn(
          "{} in-flight decisions were about to lapse unconfirmed by the pod informer: read {} of"
              + " their pods, held the rest until the next check",
          lapsing.size(),
          MAX_READS_PER_CHECK);
    }
  }

  /**
   * Settles one lapsing decision from its pod in the API.
   *
   * @return false when the pod could not be read (the caller then holds the rest unread)
   */
  private boolean confirm(Ledger.InFlight decision) {
    Pod pod;
    try {
      pod =
          client
              .pods()
              .inNamespace(decision.pod().namespace())
              .withName(decision.pod().name())
              .get();
    } catch (KubernetesClientException e) {
      if (ledger.renew(decision)) {
        log.warn(
            "cannot read pod {} to confirm its in-flight decision, holding its VFs: {}",
            decision.pod(),
            e.getMessage());
      }
      return false;
    }
    if (carries(pod, decision) && ledger.renew(decision)) {
      log.warn(
          "pod {} carries its assignment in the API, but the pod informer has not shown it within"
              + " in-flight-timeout: holding its VFs",
          decision.pod());
    }
    return true;
  }

  /** Whether {@code pod} (null when absent) is the decision's pod, live, with its assignment. */
  private static boolean carries(Pod pod, Ledger.InFlight decision) {
    return pod != null
        && decision.podUid().equals(pod.getMetadata().getUid())
        && !terminated(pod)
        && AssignmentCodec.readIfValid(pod.getMetadata().getAnnotations())
            .filter(decision.assignment()::equals)
            .isPresent();
  }

  @Override
  public synchronized void onAdd(Pod pod) {
    apply(pod);
  }

  /**
   * A relist shows a pod deleted and re-created under the same name (a StatefulSet's) as one update
   * between two UIDs; no later event names the old UID, so its entry goes here, as kube-scheduler
   * deletes and adds such a pod.
   */
  @Override
  public synchronized void onUpdate(Pod oldPod, Pod newPod) {
    String oldUid = oldPod == null ? null : oldPod.getMetadata().getUid();
    if (oldUid != null && !oldUid.equals(newPod.getMetadata().getUid())) {
      ledger.released(oldUid);
    }
    apply(newPod);
  }

  @Override
  public synchronized void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
    ledger.released(pod.getMetadata().getUid());
  }

  /** Applies one pod's current state to the ledger. */
  public static void apply(Ledger ledger, Pod pod) {
    String uid = pod.getMetadata().getUid();
    if (terminated(pod)) {
      ledger.released(uid);
      return;
    }
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    try {
      AssignmentCodec.read(annotations)
          .ifPresentOrElse(a -> ledger.bound(uid, a), () -> ledger.unbound(uid));
    } catch (InvalidAssignmentException e) {
      // Only the annotation is wrong, not the pod's hold on its VFs: dropping the entry would give
      // them to the next pod. Whatever the ledger knows of this pod stays until it ends.
      log.warn(
          "pod {}/{} has an unreadable assignment, its entry in the ledger (if any) is kept: {}",
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(),
          e.getMessage());
    }
  }

  private void apply(Pod pod) {
    apply(ledger, pod);
  }

  /**
   * Still checked although the field selector keeps terminated pods out: a pod that finishes may
   * arrive as an update before it leaves, and a test API server may not select on fields.
   */
  private static boolean terminated(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }
}
