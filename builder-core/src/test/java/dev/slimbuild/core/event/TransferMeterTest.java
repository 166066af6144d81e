package dev.slimbuild.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.event.BuildEvent.Transfer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The byte reports of a transfer: at its start, at most every 100 ms, and at its end. */
class TransferMeterTest {
  private final List<Transfer> events = new ArrayList<>();
  private final long[] now = {5_000_000_000L};
  private final TransferMeter meter =
      new TransferMeter(
          e -> events.add((Transfer) e),
          Transfer.Direction.PULL,
          "reg/base",
          "sha256:abc",
          10_000,
          () -> now[0]);

  @Test
  void reportsAtMostOnceAnIntervalWhileBytesMove() throws Exception {
    InputStream in = meter.counting(new ByteArrayInputStream(new byte[10_000]));
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.done()).isZero();
              assertThat(e.finished()).isFalse();
            });
    byte[] buf = new byte[1000];
    for (int i = 0; i < 5; i++) {
      assertThat(in.read(buf)).isEqualTo(1000);
    }
    assertThat(events).hasSize(1); // no time passed: no report
    now[0] += 99_000_000L;
    in.read(buf);
    assertThat(events).hasSize(1);
    now[0] += 1_000_000L;
    in.read(buf);
    assertThat(events).hasSize(2);
    assertThat(events.get(1).done()).isEqualTo(7000);
    assertThat(events.get(1).elapsed()).isEqualTo(Duration.ofMillis(100));
    in.transferTo(OutputStream.nullOutputStream());
    meter.finish();
    assertThat(events).hasSize(3);
    assertThat(events.get(2).done()).isEqualTo(10_000);
    assertThat(events.get(2).total()).isEqualTo(10_000);
    assertThat(events.get(2).finished()).isTrue();
    assertThat(events.get(2).repository()).isEqualTo("reg/base");
  }

  @Test
  void aRetryStartsAgainFromZero() throws Exception {
    meter.counting(new ByteArrayInputStream(new byte[4000])).readNBytes(3000);
    InputStream again = meter.counting(new ByteArrayInputStream(new byte[10_000]));
    assertThat(events.get(events.size() - 1).done()).isZero();
    again.transferTo(OutputStream.nullOutputStream());
    meter.finish();
    assertThat(events.get(events.size() - 1).done()).isEqualTo(10_000);
  }
}
