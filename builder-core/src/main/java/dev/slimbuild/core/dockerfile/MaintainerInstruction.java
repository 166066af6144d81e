package dev.slimbuild.core.dockerfile;

import java.util.Objects;

/** {@code MAINTAINER name} (deprecated). */
public record MaintainerInstruction(Location location, String maintainer) implements Instruction {
  public MaintainerInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(maintainer, "maintainer");
  }

  @Override
  public String keyword() {
    return "MAINTAINER";
  }
}
