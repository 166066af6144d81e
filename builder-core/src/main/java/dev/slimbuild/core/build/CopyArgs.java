package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.dockerfile.Heredoc;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * What COPY and ADD share: their words expanded in the stage's scope, {@code --chown} and {@code
 * --chmod}, heredoc sources, and the context files their sources select (for a key).
 */
final class CopyArgs {

  private CopyArgs() {}

  static List<String> words(StageState s, List<String> raw, Instruction where) {
    List<String> out = new ArrayList<>();
    for (String r : raw) {
      out.add(s.scope.word(r, where));
    }
    return out;
  }

  /** The history text of {@code --chown} and {@code --chmod}, expanded. */
  static String flags(
      StageState s, Optional<String> chown, Optional<String> chmod, Instruction where) {
    StringBuilder b = new StringBuilder();
    chown.ifPresent(c -> b.append(" --chown=").append(s.scope.word(c, where)));
    chmod.ifPresent(c -> b.append(" --chmod=").append(s.scope.word(c, where)));
    return b.toString();
  }

  static String heredocNames(List<Heredoc> hs) {
    return hs.stream().map(h -> " <<" + h.name()).collect(Collectors.joining());
  }

  /** The owner {@code --chown} (already expanded) names, resolved in the stage's files now. */
  static Optional<UserDb.Owner> owner(StageState s, Optional<String> chown, Instruction where) {
    if (chown.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(s.userDb().resolve(chown.get()));
    } catch (SlimbuildException e) {
      throw where.location().error(e.getMessage());
    }
  }

  static Optional<Integer> chmod(StageState s, Optional<String> chmod, Instruction where) {
    if (chmod.isEmpty()) {
      return Optional.empty();
    }
    String v = s.scope.word(chmod.get(), where);
    if (v.matches("[0-7]{1,4}")) {
      return Optional.of(Integer.parseInt(v, 8));
    }
    throw where
        .location()
        .error(
            "invalid chmod parameter: '"
                + v
                + "'. it should be octal string and between 0 and 07777");
  }

  /** Expands a COPY/ADD heredoc's variables with the values in scope now (not when it runs). */
  static UnaryOperator<String> heredocExpander(
      StageState s, List<Heredoc> heredocs, Instruction where) {
    // expanded now, as the shell lexer does: the step may run after later ENVs changed the scope
    Map<String, String> expanded = new HashMap<>();
    for (Heredoc h : heredocs) {
      expanded.put(h.text(), s.scope.heredoc(h.text(), where));
    }
    return text -> {
      String e = expanded.get(text);
      if (e == null) {
        throw new IllegalStateException("a heredoc not planned: " + text);
      }
      return e;
    };
  }

  /**
   * The context files {@code sources} select, as a copy to / finds them: what a step's key takes
   * the content digests of.
   */
  static List<LayerEntry> contextSources(
      StageState s, Instruction where, List<String> sources, List<String> excludes)
      throws IOException {
    return contextSources(s, s.in.context(), where, sources, excludes);
  }

  /** As {@link #contextSources(StageState, Instruction, List, List)} in {@code ctx}. */
  static List<LayerEntry> contextSources(
      StageState s,
      BuildContext ctx,
      Instruction where,
      List<String> sources,
      List<String> excludes)
      throws IOException {
    Copier.Spec spec =
        new Copier.Spec(
            where,
            sources,
            List.of(),
            "/",
            Optional.empty(),
            Optional.empty(),
            excludes,
            false,
            UnaryOperator.identity(),
            List.of());
    return new Copier(new FileTree(), "/", s.in.staging()).fromContext(ctx, spec);
  }
}
