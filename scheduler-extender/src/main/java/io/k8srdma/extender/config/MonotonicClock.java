package io.k8srdma.extender.config;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.LongSupplier;

/**
 * A UTC clock that moves with {@link System#nanoTime()} from the wall-clock time it was created at,
 * so that a step of the system clock (NTP correcting it, an operator setting it) changes no age the
 * extender measures: how stale an inventory is, when an in-flight decision lapses. The instants it
 * shows drift from the wall clock by as much as the system clock was stepped since the start.
 */
final class MonotonicClock extends Clock {

  private final Instant origin;
  private final long originNanos;
  private final LongSupplier nanoTime;

  MonotonicClock() {
    this(Instant.now(), System::nanoTime);
  }

  /** For tests: {@code nanoTime} stands in for {@link System#nanoTime()}. */
  MonotonicClock(Instant origin, LongSupplier nanoTime) {
    this.origin = origin;
    this.nanoTime = nanoTime;
    this.originNanos = nanoTime.getAsLong();
  }

  @Override
  public Instant instant() {
    return origin.plusNanos(nanoTime.getAsLong() - originNanos);
  }

  @Override
  public long millis() {
    return instant().toEpochMilli();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (zone.equals(ZoneOffset.UTC)) {
      return this;
    }
    throw new UnsupportedOperationException("the extender's clock is UTC only");
  }
}
