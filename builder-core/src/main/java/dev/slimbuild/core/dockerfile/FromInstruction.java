package dev.slimbuild.core.dockerfile;

import java.util.Objects;
import java.util.Optional;

/** {@code FROM [--platform=P] image [AS name]}; the stage name is lower-cased, the image raw. */
public record FromInstruction(
    Location location, String image, Optional<String> stageName, Optional<String> platform)
    implements Instruction {
  public FromInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(stageName, "stageName");
    Objects.requireNonNull(platform, "platform");
  }

  @Override
  public String keyword() {
    return "FROM";
  }
}
