package dev.slimbuild.core.image;

import dev.slimbuild.core.SlimbuildException;
import java.util.List;

/** An image that fails {@link ImageValidator}; the message lists every problem. */
final class InvalidImageException extends SlimbuildException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  InvalidImageException(String image, List<String> problems) {
    super("invalid image " + image + ":\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
