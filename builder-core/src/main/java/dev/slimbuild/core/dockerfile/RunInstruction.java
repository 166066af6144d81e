package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code RUN [--mount=...]... [--network=N] [--security=S] command}; mounts raw (CSV), heredocs in
 * order.
 */
public record RunInstruction(
    Location location,
    CommandForm command,
    List<String> mounts,
    Optional<String> network,
    Optional<String> security,
    List<Heredoc> heredocs)
    implements Instruction {
  public RunInstruction {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(command, "command");
    mounts = List.copyOf(mounts);
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(security, "security");
    heredocs = List.copyOf(heredocs);
  }

  @Override
  public String keyword() {
    return "RUN";
  }

  /** The {@code from=} values of this RUN's {@code --mount} flags, in order. */
  public List<String> mountSources() {
    return mounts.stream().map(DockerfileParser::mountFrom).flatMap(Optional::stream).toList();
  }
}
