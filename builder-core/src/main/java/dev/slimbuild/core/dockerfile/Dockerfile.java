package dev.slimbuild.core.dockerfile;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed and checked Dockerfile: the raw tree, the ARGs before the first FROM, the stages, and
 * the warnings about it that BuildKit's checks print and go on (each {@code FILE:LINE: message}).
 */
public record Dockerfile(
    RawDockerfile raw, List<ArgInstruction> globalArgs, List<Stage> stages, List<String> warnings) {
  public Dockerfile {
    Objects.requireNonNull(raw, "raw");
    globalArgs = List.copyOf(globalArgs);
    stages = List.copyOf(stages);
    warnings = List.copyOf(warnings);
  }

  /**
   * The stage each name refers to in {@code COPY --from}, {@code RUN --mount from=} and {@code
   * --target}: as in BuildKit, where a name is defined twice, the last stage of that name.
   */
  public Map<String, Integer> stageNames() {
    Map<String, Integer> m = new HashMap<>();
    for (Stage s : stages) {
      s.name().ifPresent(n -> m.put(n, s.index()));
    }
    return m;
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
