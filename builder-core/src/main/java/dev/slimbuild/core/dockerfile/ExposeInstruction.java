package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;

/** {@code EXPOSE port[/proto] ...}, in the order written. */
public record ExposeInstruction(Location location, List<String> ports) implements Instruction {
  public ExposeInstruction {
    Objects.requireNonNull(location, "location");
    ports = List.copyOf(ports);
  }

  @Override
  public String keyword() {
    return "EXPOSE";
  }
}
