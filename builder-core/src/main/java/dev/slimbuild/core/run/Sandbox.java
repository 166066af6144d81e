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

  /**
   * Whether a RUN's processes have the host's user and group ids (no user namespace): the files it
   * writes then carry on disk the owners the RUN gives them, and, without root, such a sandbox
   * cannot mount an overlay. The builder decides from this where owners are kept (on disk or in its
   * model) and whether a RUN fits on an overlay.
   */
  boolean runsWithHostIds();

  /**
   * Whether a RUN in this sandbox is kept from the host like in a default Docker container (its own
   * user, pid, mount, ipc and uts namespaces, no capability over the host, a seccomp filter).
   * chroot as root and proot cannot keep a RUN from reaching the host.
   */
  default boolean isolates() {
    return false;
  }

  /**
   * What a RUN in this sandbox can reach on the host, for the one warning a build prints when it
   * has to use a sandbox that does not {@link #isolates isolate}; empty when it does.
   */
  default String reaches() {
    return "";
  }
}
