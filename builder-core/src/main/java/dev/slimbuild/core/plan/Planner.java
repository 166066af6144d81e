package dev.slimbuild.core.plan;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.context.NamedContext;
import dev.slimbuild.core.dockerfile.ArgInstruction;
import dev.slimbuild.core.dockerfile.CopyInstruction;
import dev.slimbuild.core.dockerfile.Dockerfile;
import dev.slimbuild.core.dockerfile.DockerfileParser;
import dev.slimbuild.core.dockerfile.FromInstruction;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.dockerfile.OnbuildInstruction;
import dev.slimbuild.core.dockerfile.RunInstruction;
import dev.slimbuild.core.dockerfile.Stage;
import dev.slimbuild.core.dockerfile.Text;
import dev.slimbuild.core.dockerfile.shell.ShellLex;
import dev.slimbuild.core.oci.Platform;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a parsed Dockerfile into the plan for one target platform, as BuildKit's Dockerfile
 * frontend does: predefined platform ARGs, global ARGs resolved with {@code --build-arg}, FROM
 * names and platforms expanded with them, the stage graph, and only the stages that the target
 * reaches (an unreferenced stage is never built, even when it is broken).
 */
public final class Planner {
  /** Build args every build accepts without an ARG declaring them. */
  private static final Set<String> PREDEFINED =
      Set.of(
          "HTTP_PROXY",
          "http_proxy",
          "HTTPS_PROXY",
          "https_proxy",
          "FTP_PROXY",
          "ftp_proxy",
          "NO_PROXY",
          "no_proxy",
          "ALL_PROXY",
          "all_proxy",
          "SOURCE_DATE_EPOCH");

  private Planner() {}

  /** Plans the build of {@code dockerfile} for {@code request}. */
  public static BuildPlan plan(Dockerfile dockerfile, PlanRequest request) {
    ShellLex lex = new ShellLex(dockerfile.directives().escape());
    List<Stage> stages = dockerfile.stages();

    // a name defined twice refers to its last stage (BuildKit warns and goes on); FROM is apart
    Map<String, Integer> byName = dockerfile.stageNames();
    Stage targetStage = resolveTarget(request.target(), stages, byName);

    Map<String, String> global = predefinedArgs(request, stages.get(stages.size() - 1));
    Set<String> declared = new HashSet<>();
    for (ArgInstruction arg : dockerfile.globalArgs()) {
      for (ArgInstruction.Arg a : arg.args()) {
        declared.add(a.name());
        String value = request.buildArgs().get(a.name());
        if (value == null && a.defaultValue().isPresent()) {
          value = expand(lex, a.defaultValue().get(), global, arg);
        }
        if (value != null) {
          global.put(a.name(), value);
        }
      }
    }

    // plan only the stages the target reaches through FROM, COPY --from and RUN --mount from=:
    // a stage nobody needs is never expanded, so it cannot fail the build
    Map<Integer, PlannedStage> planned = new TreeMap<>();
    Deque<Integer> todo = new ArrayDeque<>(List.of(targetStage.index()));
    while (!todo.isEmpty()) {
      int i = todo.pop();
      if (!planned.containsKey(i)) {
        PlannedStage p = planStage(stages.get(i), stages, lex, global, byName, request.contexts());
        planned.put(i, p);
        todo.addAll(p.dependencies());
      }
    }
    List<PlannedStage> needed = new ArrayList<>(planned.values());
    for (PlannedStage p : needed) {
      for (Instruction ins : p.stage().instructions()) {
        if (ins instanceof ArgInstruction a) {
          a.args().forEach(x -> declared.add(x.name()));
        }
      }
    }

    List<String> unused = new ArrayList<>();
    for (String k : new TreeSet<>(request.buildArgs().keySet())) {
      if (!declared.contains(k) && !PREDEFINED.contains(k) && !global.containsKey(k)) {
        unused.add(k);
      }
    }
    return new BuildPlan(
        dockerfile, request.targetPlatform(), global, request.buildArgs(), needed, unused);
  }

  private static Stage resolveTarget(
      Optional<String> target, List<Stage> stages, Map<String, Integer> byName) {
    if (target.isEmpty()) {
      return stages.get(stages.size() - 1);
    }
    String name = target.get().toLowerCase(Locale.ROOT);
    Integer i = byName.get(name);
    if (i == null) {
      List<String> names = stages.stream().flatMap(s -> s.name().stream()).toList();
      String match = Text.suggest(name, names);
      String hint = match == null ? "" : " (did you mean " + match + "?)";
      throw new SlimbuildException(
          "target stage \""
              + target.get()
              + "\" could not be found"
              + hint
              + (names.isEmpty() ? "; the Dockerfile names no stages" : ""));
    }
    return stages.get(i);
  }

  /** BuildKit's automatic platform ARGs, overridable with --build-arg. */
  private static Map<String, String> predefinedArgs(PlanRequest request, Stage last) {
    Platform b = request.buildPlatform().normalize();
    Platform t = request.targetPlatform().normalize();
    Map<String, String> m = new LinkedHashMap<>();
    m.put("BUILDPLATFORM", b.toString());
    m.put("BUILDOS", b.os());
    m.put("BUILDOSVERSION", nz(b.osVersion()));
    m.put("BUILDARCH", b.architecture());
    m.put("BUILDVARIANT", nz(b.variant()));
    m.put("TARGETPLATFORM", t.toString());
    m.put("TARGETOS", t.os());
    m.put("TARGETOSVERSION", nz(t.osVersion()));
    m.put("TARGETARCH", t.architecture());
    m.put("TARGETVARIANT", nz(t.variant()));
    // --target as the user spelled it, else the last stage's name (not the one chosen by case)
    m.put("TARGETSTAGE", request.target().or(last::name).orElse("default"));
    for (Map.Entry<String, String> e : m.entrySet()) {
      String override = request.buildArgs().get(e.getKey());
      if (override != null) {
        e.setValue(override);
      }
    }
    return m;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  private static PlannedStage planStage(
      Stage s,
      List<Stage> stages,
      ShellLex lex,
      Map<String, String> global,
      Map<String, Integer> byName,
      Set<String> contexts) {
    FromInstruction from = s.from();
    Optional<Platform> platform = platform(from, lex, global);
    String display = s.name().orElse("stage-" + s.index());
    if (s.name().isPresent() && contexts.contains(NamedContext.key(s.name().get()))) {
      // replaced by the named context: nothing of the stage is read (as BuildKit), not even FROM
      return new PlannedStage(
          s, display, s.name().get(), Optional.empty(), platform, Set.of(), List.of(), true);
    }
    String base = expand(lex, from.image(), global, from);
    if (base.isEmpty()) {
      throw from.location().error("base name (" + from.image() + ") should not be blank");
    }
    Optional<Integer> baseStage = Optional.empty();
    // BuildKit looks the expanded name up as written: stage names are lower case, so "FROM Build"
    // names an image, not the stage "build" (unlike COPY --from, which ignores case). It looks it
    // up among the stages before this one, so of a name defined twice it takes the nearest.
    for (int i = s.index() - 1; i >= 0 && baseStage.isEmpty(); i--) {
      if (stages.get(i).name().filter(base::equals).isPresent()) {
        baseStage = Optional.of(i);
      }
    }
    Set<Integer> deps = new TreeSet<>();
    baseStage.ifPresent(deps::add);
    for (Instruction ins : s.instructions()) {
      collectSources(ins, byName, contexts, deps);
    }
    List<Instruction> triggers = new ArrayList<>();
    if (baseStage.isPresent()) {
      for (Instruction ins : stages.get(baseStage.get()).instructions()) {
        if (ins instanceof OnbuildInstruction o) {
          // parsed back from what the config stores, exactly as an image's triggers are
          Instruction t = DockerfileParser.parseTrigger(o.expression(), from.location());
          Set<Integer> read = new TreeSet<>();
          collectSources(t, byName, contexts, read);
          for (int i : read) {
            if (i >= s.index()) {
              throw from.location()
                  .error(
                      "ONBUILD "
                          + t.location().original()
                          + " (from stage "
                          + stages.get(baseStage.get()).name().orElse("" + baseStage.get())
                          + ") reads a stage that is not defined before this one (line "
                          + stages.get(i).from().location().startLine()
                          + ")");
            }
          }
          deps.addAll(read);
          triggers.add(t);
        }
      }
    }
    return new PlannedStage(s, display, base, baseStage, platform, deps, triggers, false);
  }

  /** The FROM's {@code --platform} after expansion, if given. */
  private static Optional<Platform> platform(
      FromInstruction from, ShellLex lex, Map<String, String> global) {
    if (from.platform().isEmpty()) {
      return Optional.empty();
    }
    String p = expand(lex, from.platform().get(), global, from);
    if (p.isEmpty()) {
      throw from.location().error("empty platform value from expression " + from.platform().get());
    }
    try {
      return Optional.of(Platform.parse(p));
    } catch (IllegalArgumentException e) {
      throw from.location().error("failed to parse platform " + p + ": " + e.getMessage());
    }
  }

  private static void collectSources(
      Instruction ins, Map<String, Integer> byName, Set<String> contexts, Set<Integer> deps) {
    List<String> refs = new ArrayList<>();
    if (ins instanceof CopyInstruction c) {
      c.from()
          .ifPresent(
              f -> {
                if (f.contains("$")) {
                  throw c.location()
                      .error(
                          "variable expansion is not supported for --from; define a stage with FROM"
                              + " and a global ARG instead");
                }
                refs.add(f);
              });
    } else if (ins instanceof RunInstruction r) {
      for (String from : r.mountSources()) {
        int dollar = from.indexOf('$');
        if (dollar >= 0 && dollar != from.length() - 1) { // as BuildKit checks it
          throw r.location()
              .error("'from' doesn't support variable expansion, define alias stage instead");
        }
        refs.add(from);
      }
    } else if (ins instanceof OnbuildInstruction) {
      return; // triggers run in builds that use this image as a base
    }
    for (String ref : refs) {
      if (contexts.contains(NamedContext.key(ref))) {
        continue; // a named context: read as it is, never a stage (even one it replaces)
      }
      Optional<Integer> stage = stageIndex(ref, byName);
      if (stage.isPresent()) {
        deps.add(stage.get());
      } else {
        checkNotATypo(ins, ref, byName);
      }
    }
  }

  /**
   * A {@code --from} that names no stage but is one short word close to a stage's name is a typo,
   * not an image on Docker Hub: an error before anything is pulled.
   */
  private static void checkNotATypo(Instruction ins, String ref, Map<String, Integer> byName) {
    if (!ref.matches("[A-Za-z0-9][A-Za-z0-9_.-]*") || ref.length() < 3) {
      return; // a registry, a path, a tag or a digest: an image reference; or too short to tell
    }
    String match = Text.suggest(ref.toLowerCase(Locale.ROOT), byName.keySet());
    if (match != null) {
      String flag = ins instanceof CopyInstruction ? "--from" : "--mount from";
      throw ins.location()
          .error(
              flag
                  + "="
                  + ref
                  + " names no stage of this Dockerfile"
                  + " (did you mean "
                  + match
                  + "?); an image on Docker Hub by that name needs its"
                  + " registry: docker.io/library/"
                  + ref);
    }
  }

  /**
   * The stage a {@code --from} value names: a stage name (case-insensitive) or a stage index.
   * Anything else names an image.
   */
  public static Optional<Integer> stageIndex(String ref, Map<String, Integer> byName) {
    Optional<Integer> index = Stage.parseIndex(ref);
    if (index.isPresent()) {
      return index;
    }
    return Optional.ofNullable(byName.get(ref.toLowerCase(Locale.ROOT)));
  }

  private static String expand(
      ShellLex lex, String word, Map<String, String> env, Instruction where) {
    try {
      return lex.processWord(word, env);
    } catch (SlimbuildException e) {
      throw where.location().error(e.getMessage());
    }
  }
}
