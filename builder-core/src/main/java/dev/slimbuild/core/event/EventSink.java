package dev.slimbuild.core.event;

/** Receives build events; implementations must be thread-safe. */
@FunctionalInterface
public interface EventSink {
  /** A sink that drops every event. */
  EventSink NONE = e -> {};

  void accept(BuildEvent event);
}
