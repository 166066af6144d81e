package dev.slimbuild.core.oci;

import dev.slimbuild.core.SlimbuildException;

/**
 * A manifest, index, config, descriptor or layout that does not follow the OCI image spec (or
 * Docker's schema 2). The message names the document and the JSON path of the problem.
 */
public class OciFormatException extends SlimbuildException {
  private static final long serialVersionUID = 1L;

  OciFormatException(String message) {
    super(message);
  }

  OciFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
