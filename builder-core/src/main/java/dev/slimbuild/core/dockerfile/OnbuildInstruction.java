package dev.slimbuild.core.dockerfile;

import java.util.Objects;

/** {@code ONBUILD instruction}; the trigger is parsed (never ONBUILD, FROM or MAINTAINER) and shares this location. */
public record OnbuildInstruction(Location location, Instruction trigger) implements Instruction {
  public OnbuildInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(trigger, "trigger");
  }

  @Override
  public String keyword() {
    return "ONBUILD";
  }
}
