package dev.slimbuild.core.registry;

import java.io.IOException;

/**
 * A registry answered with an error (or could not be reached): the HTTP status (0 when there was no
 * answer), the registry's error code if it sent one, and whether a retry can help. The message
 * names the registry and what was asked, never a credential.
 */
public class RegistryException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final boolean retryable;
  private final boolean unreachable;

  public RegistryException(String message, int status, String code, boolean retryable) {
    this(message, status, code, retryable, false);
  }

  RegistryException(
      String message, int status, String code, boolean retryable, boolean unreachable) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryable = retryable;
    this.unreachable = unreachable;
  }

  /** Whether no connection could be made at all (refused, unknown host, proxy down). */
  boolean unreachable() {
    return unreachable;
  }

  /** The HTTP status, or 0 when the registry did not answer. */
  public int status() {
    return status;
  }

  /** The registry's error code (e.g. {@code MANIFEST_UNKNOWN}), or null. */
  public String code() {
    return code;
  }

  /** Whether trying again may succeed (5xx, 429, dropped connections). */
  public boolean retryable() {
    return retryable;
  }
}
