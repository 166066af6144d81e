package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.cache.CacheKey;
import dev.slimbuild.core.dockerfile.AddInstruction;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * ADD: a file step; its URLs are downloaded while the stage is planned. Its key: the parent step's,
 * the instruction as expanded, the working directory, the user, the excludes, whether archives
 * unpack, the heredocs as expanded, each download's digest, name and size, and the content of the
 * context files selected.
 */
final class AddStep implements StepHandler<AddInstruction> {
  @Override
  public void plan(AddInstruction a, StageState s) throws IOException {
    List<String> sources = CopyArgs.words(s, a.sources(), a);
    List<String> local = new ArrayList<>();
    List<String> urls = new ArrayList<>();
    for (String src : sources) {
      if (src.startsWith("http://") || src.startsWith("https://")) {
        urls.add(src);
      } else if (src.startsWith("git@") || (src.endsWith(".git") && src.contains("://"))) {
        throw a.location().error("ADD " + src + ": git sources are not supported yet");
      } else {
        local.add(src);
      }
    }
    Optional<Digest> checksum = Optional.empty();
    if (a.checksum().isPresent()) {
      if (urls.size() != 1 || !local.isEmpty()) {
        throw a.location().error("ADD --checksum requires exactly one HTTP(S) source");
      }
      String c = s.scope.word(a.checksum().get(), a);
      try {
        checksum = Optional.of(Digest.parse(c));
      } catch (IllegalArgumentException e) {
        throw a.location().error("invalid --checksum '" + c + "': expected sha256:<64 hex>");
      }
    }
    List<UrlFetcher.Fetched> fetched = new ArrayList<>();
    for (String url : urls) {
      try {
        fetched.add(s.in.downloads().fetch(url, checksum));
      } catch (SlimbuildException e) {
        throw a.location().error("ADD failed: " + e.getMessage());
      }
    }
    String dest = s.scope.word(a.destination(), a);
    Optional<String> chown = a.chown().map(x -> s.scope.word(x, a));
    Optional<Integer> chmod = CopyArgs.chmod(s, a.chmod(), a);
    List<String> excludes = CopyArgs.words(s, a.excludes(), a);
    UnaryOperator<String> heredocs = CopyArgs.heredocExpander(s, a.heredocSources(), a);
    String workdir = s.config.workdirOrRoot();
    String msg =
        "ADD"
            + CopyArgs.flags(s, a.chown(), a.chmod(), a)
            + " "
            + String.join(" ", sources)
            + CopyArgs.heredocNames(a.heredocSources())
            + " "
            + dest
            + " # buildkit";
    CacheKey key =
        CacheKey.of("ADD")
            .add(s.chainKey())
            .add(msg)
            .add(a.location().original())
            .add(workdir)
            .add(s.config.user)
            .addAll(excludes)
            .add(a.unpack().map(String::valueOf).orElse("default"));
    for (var h : a.heredocSources()) {
      key.add(h.name()).add(heredocs.apply(h.text()));
    }
    for (UrlFetcher.Fetched f : fetched) {
      key.add(f.digest()).add(f.fileName()).add(f.size());
    }
    s.in.digests().add(key, CopyArgs.contextSources(s, a, local, excludes));
    s.planFileStep(
        key,
        msg,
        s.config.user,
        () -> {
          Copier.Spec spec =
              new Copier.Spec(
                  a,
                  local,
                  a.heredocSources(),
                  dest,
                  CopyArgs.owner(s, chown, a),
                  chmod,
                  excludes,
                  a.unpack().orElse(true),
                  heredocs,
                  fetched);
          return new Copier(s.files.tree(), workdir, s.in.staging())
              .fromContext(s.in.context(), spec);
        });
  }
}
