package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Objects;

/** The raw syntax tree of a Dockerfile: its directives and one {@link Node} per instruction. */
public record RawDockerfile(String fileName, Directives directives, List<Node> children) {
  public RawDockerfile {
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(directives, "directives");
    children = List.copyOf(children);
  }

  /** The tree in BuildKit's {@code result} format: one S-expression a line, each ending in LF. */
  public String dump() {
    StringBuilder sb = new StringBuilder();
    for (Node n : children) {
      sb.append(n.dump()).append('\n');
    }
    return sb.toString();
  }
}
