package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@code COPY [flags] src... dest}; heredoc sources ({@code COPY <<EOF dest}) apart from paths. */
public record CopyInstruction(
    Location location,
    List<String> sources,
    List<Heredoc> heredocSources,
    String destination,
    Optional<String> from,
    Optional<String> chown,
    Optional<String> chmod,
    boolean link,
    List<String> excludes,
    boolean parents)
    implements Instruction {
  public CopyInstruction {
    Objects.requireNonNull(location, "location");
    sources = List.copyOf(sources);
    heredocSources = List.copyOf(heredocSources);
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(chown, "chown");
    Objects.requireNonNull(chmod, "chmod");
    excludes = List.copyOf(excludes);
  }

  @Override
  public String keyword() {
    return "COPY";
  }
}
