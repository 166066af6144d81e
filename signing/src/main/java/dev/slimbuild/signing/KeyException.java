package dev.slimbuild.signing;

/**
 * A key can't be read or used: wrong password, unknown PEM label, unsupported key type. Messages
 * never hold key material or passwords; callers add the file name.
 */
public final class KeyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A key error with a message fit for the user. */
  KeyException(String message) {
    super(message);
  }

  /** A key error with a message fit for the user and its cause. */
  KeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
