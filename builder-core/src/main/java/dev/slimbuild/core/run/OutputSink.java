package dev.slimbuild.core.run;

/**
 * Receives the output of a RUN line by line (without the line terminator). Calls never overlap, so
 * an implementation needs no locking; lines of one stream arrive in order.
 */
@FunctionalInterface
public interface OutputSink {

  /** Which stream a line came from. */
  enum Stream {
    STDOUT,
    STDERR
  }

  void line(Stream stream, String line);
}
