package dev.slimbuild.core.context;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.image.OciLayoutWriter;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Index;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code --build-context NAME=VALUE}, as buildx takes it: what {@code NAME} stands for in the
 * Dockerfile ({@code FROM NAME}, {@code COPY --from=NAME}, {@code RUN --mount from=NAME}, and a
 * stage of that name, which it replaces). {@code VALUE} is a local directory (or a git URL, fetched
 * into one), {@code docker-image://REF}, or {@code oci-layout://DIR[:TAG][@DIGEST]}.
 */
public sealed interface NamedContext {
  /** The name as given. */
  String name();

  /** The whole flag value, {@code NAME=VALUE}, for messages. */
  String flag();

  /** A directory of files: COPY and RUN mounts read it as they read the build context. */
  record Directory(String name, String flag, Path dir) implements NamedContext {}

  /** An image in a registry, used where the Dockerfile names {@code NAME}. */
  record Image(String name, String flag, ImageReference ref) implements NamedContext {}

  /**
   * An image in an OCI layout: {@code digest} names its index or manifest there (the platform's
   * manifest is picked from an index).
   */
  record Layout(String name, String flag, Path dir, Digest digest) implements NamedContext {}

  /** Fetches a git context into a directory the caller owns. */
  @FunctionalInterface
  interface GitFetch {
    Path fetch(GitContext git) throws IOException;
  }

  /**
   * Parses {@code NAME=VALUE}; a directory must exist and a layout must hold the image named, so
   * that a wrong value fails before the build starts. Errors name the flag value.
   */
  static NamedContext parse(String flag, GitFetch git) throws IOException {
    int eq = flag.indexOf('=');
    if (eq <= 0) {
      throw new SlimbuildException("invalid --build-context '" + flag + "': expected NAME=VALUE");
    }
    String name = flag.substring(0, eq);
    String value = flag.substring(eq + 1);
    try {
      ImageReference.parse(name);
    } catch (SlimbuildException e) {
      throw new SlimbuildException(
          "invalid --build-context '"
              + flag
              + "': the name must be a"
              + " stage or image name ("
              + e.getMessage()
              + ")");
    }
    if (value.isEmpty()) {
      throw new SlimbuildException("invalid --build-context '" + flag + "': empty value");
    }
    if (value.startsWith("docker-image://")) {
      String ref = value.substring("docker-image://".length());
      try {
        return new Image(name, flag, ImageReference.parse(ref));
      } catch (SlimbuildException e) {
        throw new SlimbuildException("invalid --build-context '" + flag + "': " + e.getMessage());
      }
    }
    if (value.startsWith("oci-layout://")) {
      return layout(name, flag, value.substring("oci-layout://".length()));
    }
    Optional<GitContext> g = GitContext.parse(value);
    if (g.isPresent()) {
      return new Directory(name, flag, git.fetch(g.get()));
    }
    if (value.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      throw new SlimbuildException(
          "invalid --build-context '"
              + flag
              + "': expected a"
              + " directory, a git URL, docker-image://REF or oci-layout://DIR[:TAG][@DIGEST]");
    }
    Path dir = Path.of(value);
    if (!Files.isDirectory(dir)) {
      throw new SlimbuildException(
          "--build-context "
              + flag
              + ": no such directory (looked for "
              + dir.toAbsolutePath().normalize()
              + ")");
    }
    return new Directory(name, flag, dir);
  }

  /** {@code DIR[:TAG][@DIGEST]}, split as buildx does (the first ':' starts the tag). */
  private static Layout layout(String name, String flag, String spec) throws IOException {
    String rest = spec;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(rest.substring(at + 1));
      } catch (IllegalArgumentException e) {
        throw new SlimbuildException(
            "invalid --build-context '"
                + flag
                + "': invalid digest '"
                + rest.substring(at + 1)
                + "'");
      }
      rest = rest.substring(0, at);
    }
    String tag = "latest";
    int colon = rest.indexOf(':');
    boolean tagged = colon >= 0;
    if (tagged) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    Path dir = Path.of(rest.isEmpty() ? "." : rest);
    Path indexJson = dir.resolve("index.json");
    if (!Files.isRegularFile(indexJson)) {
      throw new SlimbuildException(
          "--build-context "
              + flag
              + ": "
              + dir.toAbsolutePath().normalize()
              + " is not an OCI layout (no index.json)");
    }
    if (digest != null) {
      return new Layout(name, flag, dir, digest);
    }
    List<Descriptor> entries;
    try {
      entries = Index.parse(Files.readAllBytes(indexJson)).manifests();
    } catch (RuntimeException e) {
      throw new SlimbuildException(
          "--build-context " + flag + ": " + indexJson + " cannot be read: " + e.getMessage());
    }
    for (Descriptor d : entries) {
      if (tag.equals(d.annotations().get(OciLayoutWriter.REF_NAME))) {
        return new Layout(name, flag, dir, d.digest());
      }
    }
    // as buildx, a layout of one image needs no tag; unlike buildx, a tag given must be there
    if (entries.size() == 1 && !tagged) {
      return new Layout(name, flag, dir, entries.get(0).digest());
    }
    List<String> tags = new ArrayList<>();
    entries.forEach(
        d ->
            tags.add(
                d.annotations().getOrDefault(OciLayoutWriter.REF_NAME, d.digest().toString())));
    throw new SlimbuildException(
        "--build-context "
            + flag
            + ": no image tagged '"
            + tag
            + "' in "
            + dir
            + " (it has: "
            + String.join(", ", tags)
            + ")");
  }

  /**
   * What a name is looked up by, as BuildKit normalises it: an image name in its short form without
   * {@code :latest} ({@code docker.io/library/alpine:latest} is {@code alpine}), anything else as
   * it is.
   */
  static String key(String name) {
    try {
      String f = ImageReference.parse(name).familiar();
      return f.endsWith(":latest") ? f.substring(0, f.length() - ":latest".length()) : f;
    } catch (SlimbuildException e) {
      return name;
    }
  }

  /** {@code contexts} by {@link #key}; a name given twice is an error. */
  static Map<String, NamedContext> byKey(List<NamedContext> contexts) {
    Map<String, NamedContext> out = new LinkedHashMap<>();
    for (NamedContext c : contexts) {
      NamedContext before = out.put(key(c.name()), c);
      if (before != null) {
        throw new SlimbuildException(
            "--build-context "
                + c.flag()
                + ": the name is given twice"
                + " (also "
                + before.flag()
                + ")");
      }
    }
    return out;
  }
}
