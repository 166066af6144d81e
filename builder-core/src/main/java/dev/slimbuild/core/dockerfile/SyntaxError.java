package dev.slimbuild.core.dockerfile;

/**
 * An error found while the position is not at hand; the caller turns it into a {@link
 * DockerfileException} with the instruction's lines. Never escapes the package.
 */
final class SyntaxError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SyntaxError(String message) {
    super(message, null, false, false);
  }
}
