package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** {@code ADD [flags] src... dest}; {@code keepGitDir}/{@code unpack} are empty when not given. */
public record AddInstruction(
    Location location,
    List<String> sources,
    List<Heredoc> heredocSources,
    String destination,
    Optional<String> chown,
    Optional<String> chmod,
    boolean link,
    List<String> excludes,
    Optional<String> checksum,
    Optional<Boolean> keepGitDir,
    Optional<Boolean> unpack)
    implements Instruction {
  public AddInstruction {
    Objects.requireNonNull(location, "location");
    sources = List.copyOf(sources);
    heredocSources = List.copyOf(heredocSources);
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(chown, "chown");
    Objects.requireNonNull(chmod, "chmod");
    excludes = List.copyOf(excludes);
    Objects.requireNonNull(checksum, "checksum");
    Objects.requireNonNull(keepGitDir, "keepGitDir");
    Objects.requireNonNull(unpack, "unpack");
  }

  @Override
  public String keyword() {
    return "ADD";
  }
}
