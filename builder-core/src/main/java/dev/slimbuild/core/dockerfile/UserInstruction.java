package dev.slimbuild.core.dockerfile;

import java.util.Objects;

/** {@code USER user[:group]}. */
public record UserInstruction(Location location, String user) implements Instruction {
  public UserInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(user, "user");
  }

  @Override
  public String keyword() {
    return "USER";
  }
}
