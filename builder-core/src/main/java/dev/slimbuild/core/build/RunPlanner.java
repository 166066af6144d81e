package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.cache.CacheKey;
import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.dockerfile.RunInstruction;
import dev.slimbuild.core.dockerfile.shell.ShellLex;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Platform;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * RUN: a file step that {@link RunStep} runs. Its key: the parent step's, the line as written, the
 * variables in scope, the user, the working directory, the SHELL, the platform, the network and
 * security modes, the heredocs, and every mount as written, with a bind mount's source by content
 * (context files) or by the key of its {@code from=} stage (an image's digest). The proxy build
 * args RUN sees ({@link dev.slimbuild.core.plan.StageScope#proxyEnv}) are not in it, as in
 * BuildKit: a RUN cached with one proxy is reused with another. Nor are the values of its secrets
 * and ssh agents, as in BuildKit: a RUN is reused whatever secret it was given.
 */
final class RunPlanner implements StepHandler<RunInstruction> {
  @Override
  public void plan(RunInstruction r, StageState s) throws IOException {
    ConfigState cfg = s.config.copy();
    Map<String, String> vars = Collections.unmodifiableMap(new LinkedHashMap<>(s.scope.vars()));
    List<String> declared = List.copyOf(s.declaredArgs());
    // not in the key, as BuildKit leaves ProxyEnv out of an exec's cache key: how the build
    // reaches the network is not what it builds
    List<String> proxy = s.scope.proxyEnv();
    UnaryOperator<String> expand = expander(s.in.escape(), vars, r);
    Platform platform = s.in.platform();
    String createdBy = RunStep.createdBy(r, platform, cfg, declared, vars);
    CacheKey key =
        CacheKey.of("RUN")
            .add(s.chainKey())
            .add(r.location().original())
            .addAll(vars)
            .add(cfg.user)
            .add(cfg.workdirOrRoot())
            .addAll(cfg.shell)
            .add(platform.normalize().toString())
            .add(r.network().map(expand).orElse(s.in.runs().options().network()))
            .add(r.security().orElse("sandbox"));
    if (!s.in.runs().options().extraHosts().isEmpty()) { // --add-host: what /etc/hosts holds
      key.addAll(s.in.runs().options().extraHosts());
    }
    for (var h : r.heredocs()) {
      key.add(h.name()).add(h.content());
    }
    for (String raw : r.mounts()) {
      RunMountSpec m;
      try {
        m = RunMountSpec.parse(raw, expand);
      } catch (SlimbuildException e) {
        throw r.location().error(e.getMessage());
      }
      // a required secret or agent the build lacks: an error before the stage runs anything
      RunMounts.checkGiven(r, m, s.in.runs().options());
      key.add(raw); // a secret or ssh mount by its id and options as written, never its value
      if (m.type() == RunMountSpec.Type.CACHE && m.from().isPresent()) {
        // the stage a cache is seeded from is an input, as in BuildKit (the exec's dependency)
        key.add(s.in.sources().sourceKey(m.from().get(), r, "RUN --mount from="));
      }
      if (m.type() == RunMountSpec.Type.BIND) {
        String source = m.source() == null || m.source().isEmpty() ? "/" : m.source();
        Optional<BuildContext> named =
            m.from().isPresent() ? s.in.sources().directory(m.from().get()) : Optional.empty();
        if (named.isPresent()) { // a named directory context: the files mounted, by content
          s.in
              .digests()
              .add(key, CopyArgs.contextSources(s, named.get(), r, List.of(source), List.of()));
        } else if (m.from().isPresent()) {
          key.add(s.in.sources().sourceKey(m.from().get(), r, "RUN --mount from="));
        } else {
          s.in.digests().add(key, CopyArgs.contextSources(s, r, List.of(source), List.of()));
        }
      }
    }
    s.planFileStep(
        key,
        createdBy,
        cfg.user,
        () -> {
          if (s.runStep() == null) {
            // errors name the RUN whose mount it is, not the first RUN of the stage
            RunStep.SourceTrees trees =
                new RunStep.SourceTrees() {
                  @Override
                  public FileTree tree(String from, RunInstruction where) throws IOException {
                    return s.in.sources().fromTree(from, where, "RUN --mount from=");
                  }

                  @Override
                  public Digest key(String from, RunInstruction where) throws IOException {
                    return s.in.sources().sourceKey(from, where, "RUN --mount from=");
                  }
                };
            s.runStep(
                new RunStep(
                    s.in.runs(),
                    platform,
                    s.in.context(),
                    s.in.staging(),
                    trees,
                    s.in.stageName(),
                    s.in.log()));
          }
          Mounted mounted = new Mounted(s.files);
          return s.runStep()
              .run(
                  r,
                  new RunStep.Stage(
                      s.files.tree(),
                      s.files.layerCount(),
                      cfg,
                      vars,
                      declared,
                      expand,
                      () -> mounted.split().images(),
                      () -> mounted.split().rest(),
                      proxy))
              .entries();
        });
  }

  /**
   * Expands words with {@code vars} (a copy of the scope now); errors carry {@code where}'s line.
   */
  private static UnaryOperator<String> expander(
      char escape, Map<String, String> vars, Instruction where) {
    var lex = new ShellLex(escape);
    return word -> {
      try {
        return lex.processWord(word, vars);
      } catch (SlimbuildException e) {
        throw where.location().error(e.getMessage());
      }
    };
  }

  /** The stage's layers as a RUN mounts them, worked out once per RUN. */
  private static final class Mounted {
    private final StageState.Files files;
    private StageState.Split split;

    Mounted(StageState.Files files) {
      this.files = files;
    }

    StageState.Split split() {
      if (split == null) {
        split = files.split();
      }
      return split;
    }
  }
}
