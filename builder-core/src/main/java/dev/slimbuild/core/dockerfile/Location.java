package dev.slimbuild.core.dockerfile;

import java.util.Objects;

/**
 * Where an instruction is: file name, first and last line (1-based, inclusive; heredoc bodies
 * included), and its text as BuildKit keeps it (continuation lines joined, comments inside
 * continuations dropped, without heredoc bodies).
 */
public record Location(String fileName, int startLine, int endLine, String original) {
  public Location {
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(original, "original");
    if (startLine < 1 || endLine < startLine) {
      throw new IllegalArgumentException("bad line range " + startLine + ".." + endLine);
    }
  }

  /** An error at this location. */
  public DockerfileException error(String message) {
    return new DockerfileException(fileName, startLine, endLine, message);
  }
}
