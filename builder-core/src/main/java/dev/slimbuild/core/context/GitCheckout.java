package dev.slimbuild.core.context;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The git URL and commit of a context that is a checkout, read from its {@code .git} directory
 * (HEAD, the ref it names, loose or packed, and {@code remote "origin"}'s url) without running git:
 * provenance must not depend on a git binary being installed. Credentials in the URL are dropped.
 */
public final class GitCheckout {
  /** A checkout's origin URL ("" when it has none) and HEAD's commit. */
  public record Source(String url, String commit) {}

  private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");

  private GitCheckout() {}

  /** The checkout {@code context} is in, if it is in one. */
  public static Optional<Source> find(Path context) {
    Optional<Path> git = gitDir(context);
    if (git.isEmpty()) {
      return Optional.empty();
    }
    try {
      String head = Files.readString(git.get().resolve("HEAD"), StandardCharsets.UTF_8).strip();
      String commit = head;
      if (head.startsWith("ref: ")) {
        String ref = head.substring(5).strip();
        Path loose = git.get().resolve(ref);
        commit =
            Files.isRegularFile(loose)
                ? Files.readString(loose, StandardCharsets.UTF_8).strip()
                : packed(git.get(), ref);
      }
      if (commit == null || !SHA1.matcher(commit).matches()) {
        return Optional.empty();
      }
      return Optional.of(new Source(origin(git.get()), commit));
    } catch (IOException e) {
      return Optional.empty(); // not a readable checkout: no source in the provenance
    }
  }

  /**
   * The commit time (seconds) of HEAD of the checkout {@code context} is in, through the {@code
   * git} binary (a commit object may be packed); empty when it is not a checkout or git cannot
   * tell.
   */
  public static Optional<Long> commitTime(Path context) {
    if (gitDir(context).isEmpty()) {
      return Optional.empty();
    }
    try {
      // safe.directory: only a time is read, so a checkout another user owns is fine
      Process p =
          new ProcessBuilder(
                  "git",
                  "-c",
                  "safe.directory=*",
                  "-C",
                  context.toString(),
                  "log",
                  "-1",
                  "--format=%ct",
                  "HEAD")
              .redirectErrorStream(false)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readNBytes(64);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      String text = new String(out, StandardCharsets.US_ASCII).strip();
      return p.exitValue() == 0 && text.matches("[0-9]{1,12}")
          ? Optional.of(Long.parseLong(text))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // no git binary: the caller falls back to SOURCE_DATE_EPOCH
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Where a context directory's git checkout is, if it is in one. */
  static Optional<Path> gitDir(Path context) {
    for (Path p = context.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve(".git"))) {
        return Files.isDirectory(p.resolve(".git"))
            ? Optional.of(p.resolve(".git"))
            : Optional.empty(); // a worktree's .git file: git itself is asked for the time
      }
    }
    return Optional.empty();
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
