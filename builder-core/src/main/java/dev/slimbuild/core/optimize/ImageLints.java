package dev.slimbuild.core.optimize;

import dev.slimbuild.core.dockerfile.ArgInstruction;
import dev.slimbuild.core.dockerfile.Dockerfile;
import dev.slimbuild.core.dockerfile.EnvInstruction;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.dockerfile.Stage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Warnings about images that are bigger or riskier than they need to be; never errors. */
public final class ImageLints {
  private static final List<String> ARCHIVES =
      List.of(
          ".tar",
          ".tar.gz",
          ".tgz",
          ".tar.bz2",
          ".tbz",
          ".tbz2",
          ".tar.xz",
          ".txz",
          ".tar.zst",
          ".tzst",
          ".gz",
          ".bz2",
          ".xz",
          ".zst");

  /**
   * BuildKit's {@code SecretsUsedInArgOrEnv} check: a name with one of these words as a whole
   * {@code _}-separated part (any case) looks like a secret, unless another part says it is not.
   */
  private static final Pattern SECRET_NAME =
      Pattern.compile(
          "(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)"
              + "(?:_|$)");

  private static final Pattern NOT_SECRET =
      Pattern.compile("(?i)(?:_|^)(?:public|file|version)(?:_|$)");

  private ImageLints() {}

  /**
   * Whether an ARG or ENV named {@code name} looks like it holds a secret (as BuildKit sees it).
   */
  public static boolean looksLikeSecret(String name) {
    return SECRET_NAME.matcher(name).find() && !NOT_SECRET.matcher(name).find();
  }

  /**
   * Warnings ({@code FILE:LINE: ...}) for every ARG (global or in a stage) and ENV whose name looks
   * like a secret: their values end up in the image's config or history, where anyone who can pull
   * the image reads them.
   */
  public static List<String> secretsInArgOrEnv(Dockerfile d) {
    List<String> out = new ArrayList<>();
    List<Instruction> all = new ArrayList<>(d.globalArgs());
    for (Stage s : d.stages()) {
      all.add(s.from());
      all.addAll(s.instructions());
    }
    for (Instruction ins : all) {
      List<String> names = new ArrayList<>();
      if (ins instanceof ArgInstruction a) {
        a.args().forEach(arg -> names.add(arg.name()));
      } else if (ins instanceof EnvInstruction e) {
        e.pairs().forEach(p -> names.add(p.key()));
      }
      for (String name : names) {
        if (looksLikeSecret(name)) {
          out.add(
              ins.location().fileName()
                  + ":"
                  + ins.location().startLine()
                  + ": SecretsUsedInArgOrEnv: do not use ARG or ENV instructions for sensitive data ("
                  + ins.keyword()
                  + " \""
                  + name
                  + "\"): the value is kept in the image's "
                  + (ins instanceof EnvInstruction
                      ? "config"
                      : "history (RUN lines record build args)")
                  + " for anyone who pulls it; pass secrets as files with --secret and RUN"
                  + " --mount=type=secret instead");
        }
      }
    }
    return out;
  }

  /** A warning when FROM {@code name} names a mutable tag ({@code latest} or none), no digest. */
  public static Optional<String> mutableBase(String name) {
    if (name.contains("@")) {
      return Optional.empty();
    }
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    String tag = colon > slash ? name.substring(colon + 1) : "";
    if (tag.isEmpty() || tag.equals("latest")) {
      return Optional.of(
          "base image "
              + name
              + " is referenced by "
              + (tag.isEmpty() ? "no tag (latest)" : "the tag latest")
              + ", which can change under you: pin a version tag or a digest (NAME@sha256:...)");
    }
    return Optional.empty();
  }

  /** A warning when the final image's user ({@code null}/empty: unset) is root. */
  public static Optional<String> runsAsRoot(String user) {
    String u = user == null ? "" : user;
    int c = u.indexOf(':');
    String name = c >= 0 ? u.substring(0, c) : u;
    if (name.isEmpty() || name.equals("root") || name.equals("0")) {
      return Optional.of(
          "the image runs as root"
              + (u.isEmpty() ? " (no USER)" : " (USER " + u + ")")
              + ": add a USER with an unprivileged id");
    }
    return Optional.empty();
  }

  /**
   * A warning when ADD has only local sources none of which looks like an archive: ADD then does
   * what COPY does, and COPY says so.
   */
  public static Optional<String> addWhereCopyWouldDo(List<String> sources) {
    if (sources.isEmpty()) {
      return Optional.empty();
    }
    for (String s : sources) {
      String l = s.toLowerCase(Locale.ROOT);
      if (l.contains("://") || l.startsWith("git@") || ARCHIVES.stream().anyMatch(l::endsWith)) {
        return Optional.empty();
      }
    }
    return Optional.of(
        "ADD of local files that are not archives: COPY does the same and"
            + " says so (ADD also extracts archives and fetches URLs)");
  }
}
