package dev.slimbuild.core.dockerfile;

import dev.slimbuild.core.dockerfile.shell.ExpansionException;
import dev.slimbuild.core.dockerfile.shell.ShellLex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Parses Dockerfile text: raw tree, typed instructions, stages, and the checks between them. */
public final class DockerfileParser {
  private DockerfileParser() {}

  /**
   * Parses and checks {@code text}.
   *
   * @param fileName the name shown in errors, e.g. {@code Dockerfile} or the path the user gave
   * @throws DockerfileException for anything BuildKit would reject, and for COPY/RUN --from that
   *     names the stage itself or a later one
   */
  public static Dockerfile parse(String text, String fileName) {
    return build(parseRaw(text, fileName));
  }

  /**
   * Only the raw syntax tree (what BuildKit's parser package produces); unknown instructions and
   * bad flags are not detected at this level.
   */
  public static RawDockerfile parseRaw(String text, String fileName) {
    return RawParser.parse(text, fileName);
  }

  /**
   * One ONBUILD trigger as an image config stores it ({@code RUN make}, see {@link
   * OnbuildInstruction#expression}), parsed into the instruction a build FROM that image runs
   * first. As in BuildKit the trigger takes {@code at} (the FROM of the stage that runs it) as its
   * location, keeping its own text; it must be one instruction, and never ONBUILD, FROM or
   * MAINTAINER.
   */
  public static Instruction parseTrigger(String expression, Location at) {
    RawDockerfile raw;
    try {
      raw = RawParser.parse(expression, at.fileName());
    } catch (DockerfileException e) {
      throw at.error("ONBUILD trigger " + GoQuote.quote(expression) + ": " + e.detail());
    }
    if (raw.children().size() != 1) {
      throw at.error(
          "ONBUILD trigger "
              + GoQuote.quote(expression)
              + ": onbuild trigger should be a single"
              + " expression");
    }
    Node node = raw.children().get(0);
    Location location =
        new Location(at.fileName(), at.startLine(), at.endLine(), Text.trimSpace(node.original()));
    try {
      InstructionParser.checkTrigger(node);
    } catch (SyntaxError e) {
      throw location.error(e.getMessage());
    }
    return InstructionParser.parse(node, location);
  }

  private static final class StageBuilder {
    final int index;
    final FromInstruction from;
    final List<Instruction> instructions = new ArrayList<>();

    StageBuilder(int index, FromInstruction from) {
      this.index = index;
      this.from = from;
    }

    Stage build() {
      return new Stage(index, from.stageName(), from, instructions);
    }
  }

  private static Dockerfile build(RawDockerfile raw) {
    List<ArgInstruction> globalArgs = new ArrayList<>();
    List<StageBuilder> stages = new ArrayList<>();
    Map<String, StageBuilder> byName = new HashMap<>();
    List<String> warnings = new ArrayList<>();
    Instruction last = null;
    for (Node node : raw.children()) {
      Instruction ins = InstructionParser.parse(node, raw.fileName());
      checkNesting(node, ins, raw.directives().escape());
      last = ins;
      if (ins instanceof FromInstruction from) {
        StageBuilder stage = new StageBuilder(stages.size(), from);
        if (from.stageName().isPresent()) {
          // BuildKit warns (check DuplicateStageName) and goes on; the later stage takes the name
          StageBuilder previous = byName.put(from.stageName().get(), stage);
          if (previous != null) {
            warnings.add(
                raw.fileName()
                    + ":"
                    + from.location().startLine()
                    + ": Duplicate stage name "
                    + GoQuote.quote(from.stageName().get())
                    + ", stage names should be unique (also defined on line "
                    + previous.from.location().startLine()
                    + "; this later stage is the one --from and --target refer to)");
          }
        }
        stages.add(stage);
      } else if (stages.isEmpty()) {
        if (!(ins instanceof ArgInstruction arg)) {
          throw ins.location()
              .error(
                  ins.keyword()
                      + " before the first FROM: only ARG may come before FROM"
                      + " (no build stage in current context)");
        }
        globalArgs.add(arg);
      } else {
        stages.get(stages.size() - 1).instructions.add(ins);
      }
    }
    if (stages.isEmpty()) {
      throw last.location().error("no FROM instruction: the Dockerfile defines no build stage");
    }
    for (StageBuilder stage : stages) {
      for (Instruction ins : stage.instructions) {
        checkFrom(ins, stage, stages, byName);
      }
    }
    List<Stage> built = new ArrayList<>();
    for (StageBuilder s : stages) {
      built.add(s.build());
    }
    return new Dockerfile(raw, globalArgs, built, warnings);
  }

  /**
   * What a build expands (everything but the commands RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK
   * hand to a shell) must not nest {@code ${...}} deeper than the lexer takes, so that {@code parse
   * --check} refuses what a build would refuse.
   */
  private static void checkNesting(Node node, Instruction ins, char escape) {
    boolean command =
        switch (node.command()) {
          case "run", "cmd", "entrypoint", "shell", "healthcheck", "maintainer" -> true;
          default -> false;
        };
    List<String> words = new ArrayList<>(node.flags());
    if (!command) {
      words.addAll(node.args());
    }
    for (String w : words) {
      try {
        ShellLex.checkNesting(w, escape);
      } catch (ExpansionException e) {
        throw ins.location().error(ins.keyword() + ": " + e.getMessage());
      }
    }
  }

  /** A stage may read only from stages before it: COPY --from and RUN --mount from=. */
  private static void checkFrom(
      Instruction ins,
      StageBuilder stage,
      List<StageBuilder> stages,
      Map<String, StageBuilder> byName) {
    // ONBUILD triggers are not checked: they run in a later build, where these stages do not exist
    if (ins instanceof CopyInstruction copy && copy.from().isPresent()) {
      String from = copy.from().get();
      checkReference(ins, "COPY --from=" + from, from, stage, stages, byName);
    } else if (ins instanceof RunInstruction run) {
      for (String from : run.mountSources()) {
        checkReference(ins, "RUN --mount=...from=" + from, from, stage, stages, byName);
      }
    }
  }

  private static void checkReference(
      Instruction ins,
      String what,
      String value,
      StageBuilder stage,
      List<StageBuilder> stages,
      Map<String, StageBuilder> byName) {
    if (value.contains("$")) {
      return; // resolved after expansion
    }
    StageBuilder referenced;
    Optional<Integer> stageIndex = Stage.parseIndex(value);
    if (stageIndex.isPresent()) {
      int index = stageIndex.get();
      if (index >= stages.size()) {
        throw ins.location()
            .error(what + ": no stage with index " + index + " (stages are numbered from 0)");
      }
      referenced = stages.get(index);
    } else {
      referenced = byName.get(value.toLowerCase(Locale.ROOT));
      if (referenced == null) {
        return; // an image reference
      }
    }
    if (referenced == stage) {
      throw ins.location().error(what + " refers to the current stage");
    }
    if (referenced.index > stage.index) {
      throw ins.location()
          .error(
              what
                  + " refers to a later stage (line "
                  + referenced.from.location().startLine()
                  + "); only earlier stages can be used");
    }
  }

  /** The {@code from} field of a {@code --mount} value (CSV fields, double quotes allowed). */
  static Optional<String> mountFrom(String mount) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < mount.length(); i++) {
      char c = mount.charAt(i);
      if (c == '"') {
        if (quoted && i + 1 < mount.length() && mount.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else {
          quoted = !quoted;
        }
      } else if (c == ',' && !quoted) {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    Optional<String> from = Optional.empty();
    for (String f : fields) {
      int eq = f.indexOf('=');
      if (eq > 0 && f.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("from")) {
        from = Optional.of(f.substring(eq + 1));
      }
    }
    return from;
  }
}
