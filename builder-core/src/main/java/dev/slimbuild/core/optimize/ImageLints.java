package dev.slimbuild.core.optimize;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Warnings about images that are bigger or riskier than they need to be; never errors. */
public final class ImageLints {
  private static final List<String> ARCHIVES =
      List.of(".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tbz2", ".tar.xz", ".txz",
          ".tar.zst", ".tzst", ".gz", ".bz2", ".xz", ".zst");

  private ImageLints() {}

  /** A warning when FROM {@code name} names a mutable tag ({@code latest} or none), no digest. */
  public static Optional<String> mutableBase(String name) {
    if (name.contains("@")) {
      return Optional.empty();
    }
    int slash = name.lastIndexOf('/');
    int colon = name.lastIndexOf(':');
    String tag = colon > slash ? name.substring(colon + 1) : "";
    if (tag.isEmpty() || tag.equals("latest")) {
      return Optional.of("base image " + name + " is referenced by "
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
      return Optional.of("the image runs as root" + (u.isEmpty() ? " (no USER)" : " (USER " + u
          + ")") + ": add a USER with an unprivileged id");
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
    return Optional.of("ADD of local files that are not archives: COPY does the same and"
        + " says so (ADD also extracts archives and fetches URLs)");
  }
}
