package dev.slimbuild.core.dockerfile.shell;

import dev.slimbuild.core.SlimbuildException;

/**
 * A word could not be expanded (unterminated quote or <code>${</code>, bad substitution, <code>
 * ${VAR:?msg}</code> on an unset variable). The message has no line number; the caller prefixes
 * {@code Dockerfile:N: }.
 */
public final class ExpansionException extends SlimbuildException {
  private static final long serialVersionUID = 1L;

  ExpansionException(String message) {
    super(message);
  }
}
