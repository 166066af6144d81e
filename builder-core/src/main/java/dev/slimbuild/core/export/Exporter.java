package dev.slimbuild.core.export;

import java.io.IOException;

/**
 * One place a finished build goes: a registry, the local store, a file, a directory, standard
 * output or another tool. Every exporter is checked before the build starts ({@link #check}), so
 * that a wrong destination never costs a build, and runs after it ({@link #export}).
 */
interface Exporter {
  /** What it writes and where, for progress lines ("pushed ...", "wrote oci output to ..."). */
  String describe();

  /** The progress line once it is done, or null when it reports on its own. */
  default String done() {
    return "wrote " + describe();
  }

  /** Fails, before the build, when the destination cannot take the image. */
  default void check() throws IOException {}

  /** Whether it reads every blob of the image (base layers too) from the local store. */
  default boolean needsLocalBlobs() {
    return true;
  }

  /** Whether it writes to standard output (then nothing else may). */
  default boolean toStdout() {
    return false;
  }

  /** Writes the build's image; a file or directory is complete or not there at all. */
  void export(ExportContext context) throws IOException;
}
