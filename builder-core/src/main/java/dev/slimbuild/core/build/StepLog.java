package dev.slimbuild.core.build;

import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.oci.Platform;

/**
 * Where the output of a stage's running step goes: {@link BuildEvent.StepOutput} events that name
 * the step, so that progress can show each running step's last lines under it.
 */
final class StepLog {
  private final EventSink events;
  private final Platform platform;
  private final String stage;
  private volatile int step;

  StepLog(EventSink events, Platform platform, String stage) {
    this.events = events;
    this.platform = platform;
    this.stage = stage;
  }

  /** Step {@code step} (from 1) of the stage runs now. */
  void at(int step) {
    this.step = step;
  }

  /** A line of the running step's output. */
  void line(String line) {
    events.accept(new BuildEvent.StepOutput(platform.toString(), stage, step, line));
  }
}
