package dev.slimbuild.core.dockerfile;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One instruction of the raw syntax tree, as BuildKit's parser sees it: nothing is validated here
 * beyond what that parser itself rejects.
 *
 * @param keyword the instruction word as written ({@code run}, {@code COPY}, ...)
 * @param flags the {@code --name[=value]} words before the arguments (quotes removed, {@code --}
 *     terminator dropped)
 * @param args the arguments as BuildKit's per-instruction rules split them (for ENV/LABEL: key,
 *     value, separator triples; for HEALTHCHECK: the type, then the command)
 * @param subCommand the trigger of an ONBUILD
 * @param json whether the arguments were written in exec (JSON array) form
 * @param heredocs the here-documents read after this instruction, in order
 * @param startLine first line, 1-based
 * @param endLine last line, 1-based, including continuation lines and heredoc bodies
 * @param original the instruction with continuation lines joined (BuildKit's {@code Original})
 * @param source the exact text of lines {@code startLine..endLine}
 */
record Node(
    String keyword,
    List<String> flags,
    List<String> args,
    Optional<Node> subCommand,
    boolean json,
    List<Heredoc> heredocs,
    int startLine,
    int endLine,
    String original,
    String source) {
  public Node {
    Objects.requireNonNull(keyword, "keyword");
    flags = List.copyOf(flags);
    args = List.copyOf(args);
    Objects.requireNonNull(subCommand, "subCommand");
    heredocs = List.copyOf(heredocs);
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(source, "source");
  }

  /** The keyword in lower case, the key BuildKit dispatches on. */
  public String command() {
    return keyword.toLowerCase(Locale.ROOT);
  }

  /** This node as one S-expression in BuildKit's {@code result} format, e.g. {@code (run "x")}. */
  public String dump() {
    return "(" + inner() + ")";
  }

  private String inner() {
    StringBuilder sb = new StringBuilder(command());
    if (!flags.isEmpty()) {
      sb.append(" [");
      for (int i = 0; i < flags.size(); i++) {
        sb.append(i == 0 ? "" : " ").append(GoQuote.quote(flags.get(i)));
      }
      sb.append(']');
    }
    subCommand.ifPresent(sub -> sb.append(" (").append(sub.inner()).append(')'));
    for (String arg : args) {
      sb.append(' ').append(GoQuote.quote(arg));
    }
    return Text.trimSpace(sb.toString());
  }

  Node withLines(int start, int end, String sourceText, List<Heredoc> docs) {
    return new Node(keyword, flags, args, subCommand, json, docs, start, end, original, sourceText);
  }
}
