package dev.slimbuild.core.build;

import dev.slimbuild.core.cache.CacheKey;
import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.dockerfile.CopyInstruction;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * COPY: a file step. Its key: the parent step's, the instruction as expanded, the working
 * directory, the user, the excludes, the heredocs as expanded, and the sources: the content of the
 * context files selected (of a named directory context's for {@code --from} one), or the key of the
 * {@code --from} stage (an image's digest).
 */
final class CopyStep implements StepHandler<CopyInstruction> {
  @Override
  public void plan(CopyInstruction c, StageState s) throws IOException {
    List<String> sources = CopyArgs.words(s, c.sources(), c);
    String dest = s.scope.word(c.destination(), c);
    Optional<String> chown = c.chown().map(x -> s.scope.word(x, c));
    Optional<Integer> chmod = CopyArgs.chmod(s, c.chmod(), c);
    List<String> excludes = CopyArgs.words(s, c.excludes(), c);
    UnaryOperator<String> heredocs = CopyArgs.heredocExpander(s, c.heredocSources(), c);
    String workdir = s.config.workdirOrRoot();
    // BuildKit's history records --parents, never --from
    String msg =
        "COPY"
            + (c.parents() ? " --parents" : "")
            + CopyArgs.flags(s, c.chown(), c.chmod(), c)
            + " "
            + String.join(" ", sources)
            + CopyArgs.heredocNames(c.heredocSources())
            + " "
            + dest;
    CacheKey key =
        CacheKey.of("COPY")
            .add(s.chainKey())
            .add(msg)
            .add(c.location().original())
            .add(workdir)
            .add(s.config.user)
            .addAll(excludes);
    for (var h : c.heredocSources()) {
      key.add(h.name()).add(heredocs.apply(h.text()));
    }
    // --from a named directory context: its files, as from the build context
    BuildContext named =
        c.from().isPresent() ? s.in.sources().directory(c.from().get()).orElse(null) : null;
    if (named != null) {
      s.in.digests().add(key, CopyArgs.contextSources(s, named, c, sources, excludes));
    } else if (c.from().isPresent()) {
      key.add(s.in.sources().sourceKey(c.from().get(), c, "COPY --from="));
    } else {
      s.in.digests().add(key, CopyArgs.contextSources(s, c, sources, excludes));
    }
    s.planFileStep(
        key,
        msg + " # buildkit",
        s.config.user,
        () -> {
          Copier.Spec spec =
              new Copier.Spec(
                  c,
                  sources,
                  c.heredocSources(),
                  dest,
                  CopyArgs.owner(s, chown, c),
                  chmod,
                  excludes,
                  false,
                  heredocs,
                  List.of());
          Copier copier = new Copier(s.files.tree(), workdir, s.in.staging());
          if (named != null) {
            return copier.fromContext(named, spec);
          }
          return c.from().isPresent()
              ? copier.fromTree(s.in.sources().fromTree(c.from().get(), c, "COPY --from="), spec)
              : copier.fromContext(s.in.context(), spec);
        });
  }
}
