package dev.slimbuild.core.dockerfile;

import java.util.Objects;

/**
 * {@code ONBUILD instruction}. The trigger is parsed and checked here (never ONBUILD, FROM or
 * MAINTAINER) and shares this location; {@code expression} is what the image config's {@code
 * OnBuild} stores, as BuildKit stores it: the instruction without the {@code ONBUILD} keyword, each
 * here-document's body and delimiter appended on lines of their own. A later build that starts FROM
 * the image turns it back into an instruction with {@link DockerfileParser#parseTrigger}.
 */
public record OnbuildInstruction(Location location, Instruction trigger, String expression)
    implements Instruction {
  public OnbuildInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(expression, "expression");
  }

  @Override
  public String keyword() {
    return "ONBUILD";
  }
}
