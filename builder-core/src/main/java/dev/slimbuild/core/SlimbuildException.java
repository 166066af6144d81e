package dev.slimbuild.core;

/**
 * An error caused by what the user gave slimbuild (a Dockerfile, a flag, a context, an image
 * reference). Its message is complete and is printed as it is, without a stack trace; the CLI maps
 * it to exit code 1.
 */
public class SlimbuildException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SlimbuildException(String message) {
    super(message);
  }

  public SlimbuildException(String message, Throwable cause) {
    super(message, cause);
  }
}
