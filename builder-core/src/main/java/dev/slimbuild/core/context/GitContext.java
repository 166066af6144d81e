package dev.slimbuild.core.context;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.layer.LayerPaths;
import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A git repository as a build context, {@code URL#REF:SUBDIR} as buildx takes it: the repository at
 * {@code URL}, checked out at {@code REF} (a branch, a tag or a commit; default: the remote's
 * HEAD), with {@code SUBDIR} (a directory in it; default: its root) as the context.
 *
 * <p>A value is a git URL when it is {@code git://...}, {@code ssh://...}, {@code user@host:path}
 * (scp-like, as {@code git@github.com:org/repo.git}), {@code http(s)://...} whose path ends in
 * {@code .git} (as BuildKit decides), or {@code file://...} (slimbuild's own: a repository on this
 * machine; a plain directory is given as a path). Anything else is not.
 *
 * <p>It is fetched with the {@code git} command (shallow where the ref allows: a branch, a tag, a
 * full commit id the server serves), submodules included, without its {@code .git}, file modes set
 * to 0644 or 0755 (git keeps nothing else), so that the same commit gives the same context on any
 * machine. Errors are one line naming the URL.
 */
public record GitContext(String url, String remote, String ref, String subdir) {
  private static final Pattern SCHEME = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*)://");
  private static final Pattern SCP = Pattern.compile("^[^/@:]+@[^/:]+:.+");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-fA-F]{4,40}");
  private static final Pattern FULL_COMMIT = Pattern.compile("[0-9a-fA-F]{40}");

  /** The git context {@code value} names, or empty when it is not a git URL. */
  public static Optional<GitContext> parse(String value) {
    int hash = value.indexOf('#');
    String remote = hash < 0 ? value : value.substring(0, hash);
    String fragment = hash < 0 ? "" : value.substring(hash + 1);
    var m = SCHEME.matcher(remote);
    if (m.find()) {
      String scheme = m.group(1).toLowerCase(Locale.ROOT);
      boolean git =
          switch (scheme) {
            case "git", "ssh", "file" -> true;
            case "http", "https" -> pathOf(remote.substring(m.end())).endsWith(".git");
            default -> false;
          };
      if (!git) {
        return Optional.empty();
      }
    } else if (!SCP.matcher(remote).matches()) {
      return Optional.empty();
    }
    int colon = fragment.indexOf(':');
    String ref = colon < 0 ? fragment : fragment.substring(0, colon);
    String sub = colon < 0 ? "" : fragment.substring(colon + 1);
    String subdir;
    try {
      subdir = LayerPaths.normalizeOrRoot(sub);
    } catch (IllegalArgumentException e) {
      throw new SlimbuildException(
          "git context " + value + ": the directory '" + sub + "' leads out of the repository");
    }
    return Optional.of(new GitContext(value, remote, ref, subdir));
  }

  /** The path part of {@code rest} (what follows {@code scheme://}), without a query. */
  private static String pathOf(String rest) {
    int q = rest.indexOf('?');
    String noQuery = q < 0 ? rest : rest.substring(0, q);
    int slash = noQuery.indexOf('/');
    return slash < 0 ? "" : noQuery.substring(slash);
  }

  /**
   * Fetches the repository into {@code dir} (an empty directory the caller deletes, also when this
   * fails) and returns the context directory: {@code dir} or its {@code SUBDIR}.
   *
   * @param env the environment git runs with (its {@code PATH} finds git; credentials helpers,
   *     {@code SSH_AUTH_SOCK} and {@code GIT_SSH_COMMAND} apply as usual)
   */
  public Path fetch(Path dir, Map<String, String> env) throws IOException {
    Git git = new Git(env, dir);
    Git.Result refs = git.run(List.of("ls-remote", "--", remote));
    if (refs.code() != 0) {
      throw fail("cannot read the repository: " + refs.error());
    }
    Path work = dir.resolve("checkout");
    Files.createDirectories(work);
    String w = work.toString();
    check(git.run(List.of("init", "-q", w)), "git init");
    String what = ref.isEmpty() ? "HEAD" : named(refs.out());
    String checkout;
    if (what != null) {
      check(
          git.run(List.of("-C", w, "fetch", "-q", "--depth", "1", "--", remote, what)),
          "fetching " + (ref.isEmpty() ? "HEAD" : ref));
      checkout = "FETCH_HEAD";
    } else if (COMMIT.matcher(ref).matches()) {
      boolean shallow =
          FULL_COMMIT.matcher(ref).matches()
              && git.run(List.of("-C", w, "fetch", "-q", "--depth", "1", "--", remote, ref)).code()
                  == 0;
      if (!shallow) { // an abbreviated id, or a server that serves no commit by id: everything
        check(
            git.run(
                List.of(
                    "-C",
                    w,
                    "fetch",
                    "-q",
                    "--tags",
                    "--",
                    remote,
                    "+refs/heads/*:refs/remotes/origin/*")),
            "fetching the repository");
      }
      Git.Result sha =
          git.run(
              List.of(
                  "-C",
                  w,
                  "rev-parse",
                  "--verify",
                  "-q",
                  (shallow ? "FETCH_HEAD" : ref) + "^{commit}"));
      if (sha.code() != 0) {
        throw unknownRef();
      }
      checkout = sha.out().strip();
    } else {
      throw unknownRef();
    }
    check(
        git.run(
            List.of(
                "-C",
                w,
                "-c",
                "advice.detachedHead=false",
                "checkout",
                "-q",
                "--detach",
                checkout)),
        "checking out " + (ref.isEmpty() ? "HEAD" : ref));
    if (Files.isRegularFile(work.resolve(".gitmodules"))) {
      check(
          git.run(
              List.of(
                  "-C", w, "submodule", "update", "-q", "--init", "--recursive", "--depth", "1")),
          "fetching submodules");
    }
    Trees.delete(work.resolve(".git"));
    normalizeModes(work);
    if (subdir.isEmpty()) {
      return work;
    }
    Path sub = work.resolve(subdir);
    if (!Files.isDirectory(sub)) {
      throw fail("no directory " + subdir + " in " + (ref.isEmpty() ? "HEAD" : ref));
    }
    if (!sub.toRealPath().startsWith(work.toRealPath())) {
      throw fail("the directory " + subdir + " is a symlink that leads out of the repository");
    }
    return sub;
  }

  /** The full name of {@code ref} among the remote's refs (tags first, as git looks), or null. */
  private String named(String lsRemote) {
    Set<String> names = new HashSet<>();
    for (String line : lsRemote.split("\n")) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        names.add(line.substring(tab + 1));
      }
    }
    for (String candidate : List.of(ref, "refs/" + ref, "refs/tags/" + ref, "refs/heads/" + ref)) {
      if (candidate.startsWith("refs/") && names.contains(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private SlimbuildException unknownRef() {
    return fail("no branch, tag or commit '" + ref + "' in the repository");
  }

  private void check(Git.Result r, String what) {
    if (r.code() != 0) {
      throw fail(what + " failed: " + r.error());
    }
  }

  private SlimbuildException fail(String why) {
    return new SlimbuildException("git context " + url + ": " + why);
  }

  /** 0755 for directories and executable files, 0644 for other files: all git records. */
  private static void normalizeModes(Path root) throws IOException {
    Set<PosixFilePermission> exec = PosixFilePermissions.fromString("rwxr-xr-x");
    Set<PosixFilePermission> plain = PosixFilePermissions.fromString("rw-r--r--");
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a)
              throws IOException {
            Files.setPosixFilePermissions(d, exec);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
            if (a.isRegularFile()) {
              boolean x =
                  Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS)
                      .contains(PosixFilePermission.OWNER_EXECUTE);
              Files.setPosixFilePermissions(f, x ? exec : plain);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** The {@code git} command, run with a given environment, never asking for input. */
  private static final class Git {
    record Result(int code, String out, String err) {
      /**
       * Git's reason: its first {@code fatal:} or {@code error:} line, after the line before it if
       * there is one (ssh's, say), else its last line.
       */
      String error() {
        List<String> lines = err.strip().lines().filter(l -> !l.startsWith("hint: ")).toList();
        for (int i = 0; i < lines.size(); i++) {
          String l = lines.get(i);
          if (l.startsWith("fatal: ") || l.startsWith("error: ")) {
            String reason = l.substring(l.indexOf(' ') + 1);
            return i == 0 ? reason : lines.get(i - 1) + " (" + reason + ")";
          }
        }
        return lines.isEmpty() ? "git exited with status " + code : lines.get(lines.size() - 1);
      }
    }

    private final List<String> command;
    private final Map<String, String> env;
    private final Path dir;

    Git(Map<String, String> environment, Path dir) {
      String path = environment.get("PATH");
      if (path == null) {
        path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
      }
      Path git = null;
      for (String d : path.split(":")) {
        Path p = d.isEmpty() ? null : Path.of(d, "git");
        if (p != null && Files.isRegularFile(p) && Files.isExecutable(p)) {
          git = p;
          break;
        }
      }
      if (git == null) {
        throw new SlimbuildException(
            "a git context needs the 'git' command, which is not on" + " the PATH (" + path + ")");
      }
      this.command = List.of(git.toString());
      this.env = new HashMap<>(environment);
      this.env.put("PATH", path);
      this.env.put("GIT_TERMINAL_PROMPT", "0"); // a missing credential fails, never waits
      this.env.put("LC_ALL", "C");
      this.dir = dir;
    }

    Result run(List<String> args) throws IOException {
      List<String> full = new ArrayList<>(command);
      full.addAll(args);
      ProcessBuilder pb = new ProcessBuilder(full).directory(dir.toFile());
      pb.environment().clear();
      pb.environment().putAll(env);
      Path err = Files.createTempFile(dir, ".git-stderr", ".txt");
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.redirectError(err.toFile());
      Process p = pb.start();
      try {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        return new Result(code, out, new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("git interrupted");
      } finally {
        Files.deleteIfExists(err);
      }
    }
  }
}
