package dev.slimbuild.core.event;

import java.time.Duration;

/**
 * What the core tells the outside world while it works. The core never prints; the CLI decides how
 * (and whether) to show events.
 */
public sealed interface BuildEvent {

  /** A step (one Dockerfile instruction of one stage, for one platform) begins. */
  record StepStarted(String platform, String stage, int step, int steps, String text)
      implements BuildEvent {}

  /**
   * A step ended. Its layer, if any, is written when the stage ends (so that a later step's
   * deletions leave the earlier layer) and reported then by {@link LayerWritten}.
   */
  record StepFinished(
      String platform, String stage, int step, int steps, String text, Duration elapsed)
      implements BuildEvent {}

  /**
   * A step was not run: the cache served what it makes, from {@code from} ({@code local}, {@code
   * this build} for a step that another platform of the build ran, or a {@code --cache-from}).
   */
  record StepCached(String platform, String stage, int step, int steps, String text, String from)
      implements BuildEvent {}

  /**
   * A layer was written (at the end of its stage): the step that made it, its compressed and tar
   * size, its files, and the bytes optimisation left out (stripped caches, files the lower layers
   * already held, files a later step deleted or overwrote). {@code compressedBytes} is -1 when
   * optimisation left nothing of the step's layer, so none was written.
   */
  record LayerWritten(
      String platform,
      String stage,
      int step,
      String text,
      long compressedBytes,
      long uncompressedBytes,
      long files,
      long strippedBytes,
      long deduplicatedBytes,
      long wastedBytes)
      implements BuildEvent {}

  /**
   * A line a running step printed (a RUN's output), while step {@code step} of the stage runs;
   * without its line break.
   */
  record StepOutput(String platform, String stage, int step, String line) implements BuildEvent {}

  /**
   * A stage's FROM named a base image: {@code reference} as written, the platform's manifest
   * digest, and its layers' count and compressed size (pulled only when a step needs them).
   */
  record BaseImage(
      String platform, String stage, String reference, String digest, int layers, long bytes)
      implements BuildEvent {}

  /**
   * Bytes of a blob moving between a registry ({@code repository}, {@code HOST/REPO}) and this
   * machine: reported when it starts ({@code done} 0), at most about ten times a second while it
   * moves (see {@link TransferMeter}), and once {@code finished}; {@code elapsed} since it started.
   * A retried upload starts again from 0.
   */
  record Transfer(
      Direction direction,
      String repository,
      String blob,
      long done,
      long total,
      Duration elapsed,
      boolean finished)
      implements BuildEvent {
    /** Which way the bytes go. */
    public enum Direction {
      PULL,
      PUSH
    }
  }

  /** Something the user should know that does not stop the build (a lint, a fallback). */
  record Warning(String message) implements BuildEvent {}

  /** A line of progress that is not a step (pushing, writing outputs). */
  record Info(String message) implements BuildEvent {}
}
