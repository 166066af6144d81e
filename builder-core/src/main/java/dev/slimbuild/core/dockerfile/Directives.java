package dev.slimbuild.core.dockerfile;

import java.util.Optional;

/**
 * The parser directives at the top of a Dockerfile ({@code # syntax=}, {@code # escape=}, {@code #
 * check=}); {@code escape} is {@code '\\'} unless set to a backtick.
 */
public record Directives(Optional<String> syntax, char escape, Optional<String> check) {
  public Directives {
    if (escape != '\\' && escape != '`') {
      throw new IllegalArgumentException("escape must be \\ or `");
    }
  }
}
