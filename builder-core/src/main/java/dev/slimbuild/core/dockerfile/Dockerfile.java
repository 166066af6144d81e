package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;

/**
 * A parsed and checked Dockerfile: the raw tree, the ARGs before the first FROM, and the stages.
 */
public record Dockerfile(RawDockerfile raw, List<ArgInstruction> globalArgs, List<Stage> stages) {
  public Dockerfile {
    Objects.requireNonNull(raw, "raw");
    globalArgs = List.copyOf(globalArgs);
    stages = List.copyOf(stages);
  }

  /** The parser directives. */
  public Directives directives() {
    return raw.directives();
  }

  /** The display file name used in errors. */
  public String fileName() {
    return raw.fileName();
  }

  /** The raw tree in BuildKit's {@code result} format. */
  public String dump() {
    return raw.dump();
  }
}
