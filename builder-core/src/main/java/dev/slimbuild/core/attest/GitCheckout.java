package dev.slimbuild.core.attest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The git URL and commit of a context that is a checkout, read from its {@code .git} directory
 * (HEAD, the ref it names, loose or packed, and {@code remote "origin"}'s url) without running
 * git: provenance must not depend on a git binary being installed. Credentials in the URL are
 * dropped.
 */
final class GitCheckout {
  private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");

  private GitCheckout() {}

  static Optional<Provenance.Source> find(Path context) {
    Optional<Path> git = BuildAttestations.gitDir(context);
    if (git.isEmpty()) {
      return Optional.empty();
    }
    try {
      String head = Files.readString(git.get().resolve("HEAD"), StandardCharsets.UTF_8).strip();
      String commit = head;
      if (head.startsWith("ref: ")) {
        String ref = head.substring(5).strip();
        Path loose = git.get().resolve(ref);
        commit = Files.isRegularFile(loose)
            ? Files.readString(loose, StandardCharsets.UTF_8).strip() : packed(git.get(), ref);
      }
      if (commit == null || !SHA1.matcher(commit).matches()) {
        return Optional.empty();
      }
      return Optional.of(new Provenance.Source(origin(git.get()), commit));
    } catch (IOException e) {
      return Optional.empty(); // not a readable checkout: no source in the provenance
    }
  }

  private static String packed(Path git, String ref) throws IOException {
    Path packed = git.resolve("packed-refs");
    if (!Files.isRegularFile(packed)) {
      return null;
    }
    for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
      String[] parts = line.split(" ");
      if (parts.length == 2 && parts[1].equals(ref)) {
        return parts[0];
      }
    }
    return null;
  }

  private static String origin(Path git) throws IOException {
    Path config = git.resolve("config");
    if (!Files.isRegularFile(config)) {
      return "";
    }
    List<String> lines = Files.readAllLines(config, StandardCharsets.UTF_8);
    boolean inOrigin = false;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.startsWith("[")) {
        inOrigin = line.replace(" ", "").equals("[remote\"origin\"]");
      } else if (inOrigin && line.startsWith("url")) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          return line.substring(eq + 1).strip().replaceFirst("^([a-z+]+://)[^/@]*@", "$1");
        }
      }
    }
    return "";
  }
}
