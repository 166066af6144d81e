package dev.slimbuild.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The release's training run for the class-data archive it ships: runs slimbuild command lines one
 * after another in one JVM, because the JDK records the classes of one run and a user's run is one
 * command (so the training walks the common paths: help, parse, a build and its cached rebuild, the
 * store's listing). Each line of the file named by the one argument is a command line split at
 * spaces; {@code !} before one means it is meant to fail (the error path); {@code #} starts a
 * comment. Output is discarded; a line that ends otherwise than meant stops the run with exit code
 * 1; the run ends with System.exit, as a command does. Started by {@code scripts/release.sh}, never
 * by slimbuild itself.
 */
final class Training {
  private Training() {}

  public static void main(String[] args) throws IOException {
    PrintWriter sink = new PrintWriter(Writer.nullWriter());
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      boolean failing = l.startsWith("!");
      String[] argv = (failing ? l.substring(1).strip() : l).split("\\s+");
      int code = Main.run(argv, sink, sink);
      if ((code == 0) == failing) {
        System.err.println("training: '" + l + "' exited with " + code);
        System.exit(1);
      }
    }
    // as slimbuild's own main ends: the JVM's exit path (it looks up a logger) is trained too
    System.exit(0);
  }
}
