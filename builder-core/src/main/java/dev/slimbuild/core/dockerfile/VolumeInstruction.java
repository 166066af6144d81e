package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;

/** {@code VOLUME path ...} or {@code VOLUME ["path"]}. */
public record VolumeInstruction(Location location, List<String> volumes) implements Instruction {
  public VolumeInstruction {
    Objects.requireNonNull(location, "location");
    volumes = List.copyOf(volumes);
  }

  @Override
  public String keyword() {
    return "VOLUME";
  }
}
