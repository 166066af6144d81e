package dev.slimbuild.core.oci;

import dev.slimbuild.core.SlimbuildException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An image reference such as {@code app}, {@code registry.example.com:5000/team/app:1} or {@code
 * app@sha256:...}, normalised as Docker does: no registry means {@code docker.io}, a one-part
 * repository there gets {@code library/}, {@code index.docker.io} is {@code docker.io}, and a
 * reference without tag or digest gets the tag {@code latest}. Invalid input throws {@link
 * SlimbuildException} saying why.
 *
 * @param registry host[:port], e.g. {@code docker.io}
 * @param repository path, e.g. {@code library/app}
 * @param tag the tag or null (only when a digest is given)
 * @param digest the digest or null
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
  static final String DOCKER_HUB = "docker.io";

  private static final Pattern DOMAIN =
      Pattern.compile(
          "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*"
              + "(?::[0-9]+)?|\\[[a-fA-F0-9:]+\\](?::[0-9]+)?");
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");

  public ImageReference {
    if (registry == null || !DOMAIN.matcher(registry).matches()) {
      throw new IllegalArgumentException("invalid registry: " + registry);
    }
    if (repository == null || repository.isEmpty()) {
      throw new IllegalArgumentException("missing repository");
    }
    for (String c : repository.split("/", -1)) {
      if (!COMPONENT.matcher(c).matches()) {
        throw new IllegalArgumentException("invalid repository: " + repository);
      }
    }
    if (tag != null && !TAG.matcher(tag).matches()) {
      throw new IllegalArgumentException("invalid tag: " + tag);
    }
    if (tag == null && digest == null) {
      throw new IllegalArgumentException("a reference needs a tag or a digest");
    }
  }

  /** Parses and normalises {@code ref}; throws SlimbuildException with the reason if invalid. */
  public static ImageReference parse(String ref) {
    if (ref == null || ref.isEmpty()) {
      throw invalid(ref, "empty reference");
    }
    String rest = ref;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        digest = Digest.parse(rest.substring(at + 1));
      } catch (IllegalArgumentException e) {
        throw invalid(ref, "invalid digest \"" + rest.substring(at + 1) + "\"");
      }
      rest = rest.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw invalid(ref, "invalid tag \"" + tag + "\"");
      }
    }
    if (rest.isEmpty()) {
      throw invalid(ref, "missing repository name");
    }
    if (rest.length() > 255) {
      throw invalid(ref, "repository name longer than 255 characters");
    }
    String registry;
    String repository;
    int slash = rest.indexOf('/');
    String first = slash < 0 ? null : rest.substring(0, slash);
    if (first != null
        && (first.contains(".")
            || first.contains(":")
            || first.equals("localhost")
            || !first.equals(first.toLowerCase(Locale.ROOT)))) {
      registry = first;
      repository = rest.substring(slash + 1);
      if (!DOMAIN.matcher(registry).matches()) {
        throw invalid(ref, "invalid registry \"" + registry + "\"");
      }
    } else {
      registry = DOCKER_HUB;
      repository = rest;
    }
    if (registry.equals("index.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
      if (HEX64.matcher(repository).matches() && tag == null && digest == null) {
        throw invalid(ref, "a 64-character hexadecimal name is an image ID, not a reference");
      }
      repository = "library/" + repository;
    }
    if (!repository.equals(repository.toLowerCase(Locale.ROOT))) {
      throw invalid(ref, "repository name must be lowercase");
    }
    for (String c : repository.split("/", -1)) {
      if (!COMPONENT.matcher(c).matches()) {
        throw invalid(
            ref,
            c.isEmpty()
                ? "empty path component in repository"
                : "invalid repository path component \"" + c + "\"");
      }
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageReference(registry, repository, tag, digest);
  }

  private static SlimbuildException invalid(String ref, String why) {
    return new SlimbuildException("invalid image reference \"" + ref + "\": " + why);
  }

  /** {@code registry/repository}, e.g. {@code docker.io/library/app}. */
  public String name() {
    return registry + "/" + repository;
  }

  /** The tag, or {@code latest} for a digest-only reference. */
  public String tagOrLatest() {
    return tag == null ? "latest" : tag;
  }

  /** The short form Docker shows: {@code app:1} for {@code docker.io/library/app:1}. */
  public String familiar() {
    return familiarName() + suffix();
  }

  /** The short name without tag or digest: {@code app} for {@code docker.io/library/app}. */
  public String familiarName() {
    if (registry.equals(DOCKER_HUB)) {
      return repository.startsWith("library/") ? repository.substring(8) : repository;
    }
    return name();
  }

  private String suffix() {
    return (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
  }

  /** The full normalised form, e.g. {@code docker.io/library/app:latest}. */
  @Override
  public String toString() {
    return name() + suffix();
  }
}
