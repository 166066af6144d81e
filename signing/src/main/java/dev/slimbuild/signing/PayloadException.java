package dev.slimbuild.signing;

/** A simple-signing payload is not one slimbuild accepts (bad JSON, wrong type, missing claim). */
final class PayloadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A payload error with a message fit for the user. */
  PayloadException(String message) {
    super(message);
  }
}
