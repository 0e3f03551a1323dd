package io.k8srdma.extender.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MonotonicClockTest {

  @Test
  void movesWithTheMonotonicTimeFromItsOrigin() {
    AtomicLong nanos = new AtomicLong(-5_000_000_000L);
    Instant origin = Instant.parse("2026-11-27T07:00:00Z");
    MonotonicClock clock = new MonotonicClock(origin, nanos::get);

    assertThat(clock.instant()).isEqualTo(origin);
    nanos.addAndGet(1_500_000_123L);
    assertThat(clock.instant()).isEqualTo(origin.plusNanos(1_500_000_123L));
    assertThat(clock.millis()).isEqualTo(origin.toEpochMilli() + 1_500);
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
  }

  @Test
  void theRealOneStartsAtTheWallClockAndNeverGoesBack() {
    Instant before = Instant.now();
    MonotonicClock clock = new MonotonicClock();
    Instant first = clock.instant();
    Instant second = clock.instant();

    assertThat(first).isAfterOrEqualTo(before).isBeforeOrEqualTo(Instant.now());
    assertThat(second).isAfterOrEqualTo(first);
  }
}
