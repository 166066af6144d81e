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
   * A step ended. {@code layerBytes} is the compressed size of the layer it added, or -1 when it
   * added no layer.
   */
  record StepFinished(
      String platform, String stage, int step, int steps, String text, Duration elapsed,
      long layerBytes)
      implements BuildEvent {}

  /** Something the user should know that does not stop the build (a lint, a fallback). */
  record Warning(String message) implements BuildEvent {}

  /** A line of progress that is not a step (pushing, writing outputs). */
  record Info(String message) implements BuildEvent {}
}
