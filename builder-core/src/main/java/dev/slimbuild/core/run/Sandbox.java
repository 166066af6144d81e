package dev.slimbuild.core.run;

import java.io.IOException;

/** Runs one command inside an already materialised root filesystem. */
public interface Sandbox {

  /** A short name for messages: {@code bwrap}, {@code chroot} or {@code proot}. */
  String name();

  /**
   * Runs {@code spec}, delivering its output lines to {@code out}, and waits for it to end or time
   * out. Mount points and bound files it had to create inside the rootfs are listed in the result
   * (they stay, so the caller's snapshot can ignore them).
   *
   * @throws dev.slimbuild.core.SlimbuildException when the spec cannot be run by this sandbox
   */
  RunResult run(RunSpec spec, OutputSink out) throws IOException;
}
