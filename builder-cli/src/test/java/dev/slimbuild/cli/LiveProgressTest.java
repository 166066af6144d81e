package dev.slimbuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.BuildEvent.Transfer.Direction;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The live view of {@code --progress tty}, fed events on a fake clock, its output played on a small
 * terminal model (carriage return, cursor up, clear to the end of the screen): each frame shows the
 * running steps with their elapsed time and last output lines and the transfers with bytes and
 * rate, and the screen holds only finished lines and the summary at the end.
 */
class LiveProgressTest {
  private static final String PLATFORM = "linux/amd64";
  private static final String BLOB = "sha256:" + "ab12".repeat(16);

  private final StringWriter captured = new StringWriter();
  private final long[] now = {1_000_000_000L};
  private final LiveProgress live =
      new LiveProgress(new PrintWriter(captured), 60, () -> now[0], false);

  private void feed(BuildEvent e) {
    live.accept(e, ProgressPrinter.line(e));
  }

  private void advance(long millis) {
    now[0] += millis * 1_000_000;
  }

  private List<String> screen() {
    return screen(captured.toString());
  }

  /**
   * The screen {@code s} leaves on a terminal that interprets what the view writes: carriage
   * returns at the start of a line, cursor up, clear to the end of the screen (no wrapping).
   */
  static List<String> screen(String s) {
    List<StringBuilder> lines = new ArrayList<>();
    int row = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\u001b') {
        int end = i + 2;
        while (!Character.isLetter(s.charAt(end))) {
          end++;
        }
        String args = s.substring(i + 2, end);
        if (s.charAt(end) == 'A') {
          row -= Integer.parseInt(args);
          assertThat(row).as("cursor up within the screen").isNotNegative();
        } else if (s.charAt(end) == 'J') {
          while (lines.size() > row) {
            lines.remove(lines.size() - 1);
          }
        } else {
          throw new AssertionError("unexpected escape " + args + s.charAt(end));
        }
        i = end;
      } else if (c == '\r') {
        assertThat(row < lines.size() ? lines.get(row).length() : 0)
            .as("frames start at the beginning of a line")
            .isZero();
      } else if (c == '\n') {
        row++;
      } else {
        while (lines.size() <= row) {
          lines.add(new StringBuilder());
        }
        lines.get(row).append(c);
      }
    }
    return lines.stream().map(StringBuilder::toString).toList();
  }

  @Test
  void framesShowRunningStepsTheirLastLinesAndTransfersWithRate() {
    feed(new BuildEvent.BaseImage(PLATFORM, "app", "reg/base:1", BLOB, 1, 2_000_000));
    feed(new BuildEvent.StepStarted(PLATFORM, "app", 1, 3, "COPY f /f"));
    advance(100);
    feed(new BuildEvent.StepCached(PLATFORM, "app", 1, 3, "COPY f /f", "local"));
    feed(
        new BuildEvent.StepStarted(
            PLATFORM,
            "app",
            2,
            3,
            "RUN make all && make install && make check && make dist && make clean"));
    advance(1500);
    for (int i = 1; i <= 8; i++) {
      feed(new BuildEvent.StepOutput(PLATFORM, "app", 2, "line " + i));
    }
    feed(
        new BuildEvent.Transfer(
            Direction.PULL, "reg/base", BLOB, 0, 2_000_000, Duration.ZERO, false));
    advance(500);
    feed(
        new BuildEvent.Transfer(
            Direction.PULL, "reg/base", BLOB, 1_000_000, 2_000_000, Duration.ofMillis(500), false));
    live.tick();

    List<String> frame = screen();
    assertThat(frame)
        .containsSubsequence(
            "[linux/amd64] [app] FROM reg/base:1 (" + BLOB + ", 1 layers, 2.00MB)",
            "[linux/amd64] [app 1/3] CACHED (local) COPY f /f",
            "[+] Building 2.1s: 1 step (1 cached)");
    // the running step, cut to fit before its elapsed time, and its last six lines
    int at = frame.indexOf("[+] Building 2.1s: 1 step (1 cached)");
    assertThat(frame.subList(at, frame.size()))
        .allSatisfy(l -> assertThat(l.length()).as(l).isLessThan(60));
    assertThat(frame.get(at + 1))
        .startsWith("=> [linux/amd64] [app 2/3] RUN make all && ")
        .endsWith(" 2.0s")
        .hasSize(59);
    assertThat(frame.subList(at + 2, at + 8))
        .containsExactly(
            "   line 3", "   line 4", "   line 5", "   line 6", "   line 7", "   line 8");
    // bytes and rate at the right edge
    assertThat(frame.get(at + 8))
        .isEqualTo(
            String.format(
                "%-32s%s", "=> pull reg/base ab12ab12ab12", "  1.00MB / 2.00MB  2.00MB/s"));
    assertThat(frame).hasSize(at + 9);

    // the clock moves on: the next frame replaces this one
    advance(1000);
    live.tick();
    frame = screen();
    assertThat(frame.get(at)).isEqualTo("[+] Building 3.1s: 1 step (1 cached)");
    assertThat(frame.get(at + 1)).endsWith(" 3.0s");
    assertThat(frame).hasSize(at + 9);

    // the pull and the step end: nothing runs, the live area is erased at once
    feed(
        new BuildEvent.Transfer(
            Direction.PULL, "reg/base", BLOB, 2_000_000, 2_000_000, Duration.ofMillis(1500), true));
    feed(new BuildEvent.StepFinished(PLATFORM, "app", 2, 3, "RUN make all", Duration.ofSeconds(3)));
    frame = screen();
    assertThat(frame.subList(at, frame.size()))
        .containsExactly(
            "pulled reg/base " + BLOB + ": 2.00MB in 1.50s",
            "[linux/amd64] [app 2/3] RUN make all  3.00s");

    feed(new BuildEvent.StepStarted(PLATFORM, "app", 3, 3, "CMD [\"x\"]"));
    feed(new BuildEvent.StepFinished(PLATFORM, "app", 3, 3, "CMD [\"x\"]", Duration.ZERO));
    feed(new BuildEvent.Info("stored app:1"));
    advance(400);
    live.finish(true);
    frame = screen();
    assertThat(frame.subList(at + 2, frame.size()))
        .containsExactly(
            "[linux/amd64] [app 3/3] CMD [\"x\"]  0.00s",
            "stored app:1",
            "[+] Built in 3.5s: 3 steps (1 cached), pulled 2.00MB");
    assertThat(frame).noneMatch(l -> l.startsWith("[+] Building") || l.startsWith("   line"));
  }

  @Test
  void aFailureErasesTheLiveAreaAndNamesWhatWasRunning() {
    feed(new BuildEvent.StepStarted(PLATFORM, "app", 1, 1, "RUN false"));
    feed(new BuildEvent.StepOutput(PLATFORM, "app", 1, "about to fail"));
    feed(new BuildEvent.Transfer(Direction.PUSH, "reg/app", BLOB, 0, 1000, Duration.ZERO, false));
    advance(300);
    live.tick();
    assertThat(screen())
        .contains(
            "   about to fail",
            String.format("%-55s%s", "=> [linux/amd64] [app 1/1] RUN false", "0.3s"));
    live.finish(false);
    assertThat(screen())
        .containsExactly(
            "[+] Failed after 0.3s: 0 steps",
            "    while running [linux/amd64] [app 1/1] RUN false");
    // finishing again, as the shutdown hook would, adds nothing
    live.finish(false);
    assertThat(screen()).hasSize(2);
  }

  @Test
  void nothingIsPrintedForACommandRefusedBeforeItBegan() {
    live.finish(false);
    assertThat(captured.toString()).isEmpty();
  }

  @Test
  void autoIsTheLiveViewOnATerminalOnlyAndTtyForcesIt() {
    PrintWriter err = new PrintWriter(new StringWriter());
    Map<String, String> env = Map.of("COLUMNS", "50");
    assertThat(
            ProgressPrinter.of(
                    err, "auto", new Main(env, new Main.Stdio(System.in, System.out, true)))
                .mode())
        .isEqualTo(ProgressPrinter.Mode.TTY);
    assertThat(ProgressPrinter.of(err, "auto", new Main(env, Main.Stdio.system())).mode())
        .isEqualTo(ProgressPrinter.Mode.PLAIN);
    assertThat(ProgressPrinter.of(err, "tty", new Main(env, Main.Stdio.system())).mode())
        .isEqualTo(ProgressPrinter.Mode.TTY);
    assertThat(
            ProgressPrinter.of(
                    err, "plain", new Main(env, new Main.Stdio(System.in, System.out, true)))
                .mode())
        .isEqualTo(ProgressPrinter.Mode.PLAIN);
  }

  @Test
  void liveLinesHoldNoControlCharactersAndNeverWrap() {
    assertThat(live.fit("50% [####]\r100% \u001b[1;32mdone\u001b[0m\r", 0)).isEqualTo("100% done");
    assertThat(live.fit("a\tb\u0007c", 0)).isEqualTo("a bc");
    // wide characters take two columns each: 59 columns hold 29
    assertThat(live.fit("界".repeat(40), 0)).hasSize(29);
    assertThat(live.fit("x".repeat(100), 5)).hasSize(54);
  }
}
