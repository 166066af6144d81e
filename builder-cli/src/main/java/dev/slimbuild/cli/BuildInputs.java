package dev.slimbuild.cli;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.context.ContextArchive;
import dev.slimbuild.core.context.GitContext;
import dev.slimbuild.core.context.NamedContext;
import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.layer.ArchiveExtractor;
import dev.slimbuild.core.layer.LayerPaths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code slimbuild build}'s CONTEXT and {@code -f} name, as files on this machine, as docker
 * and buildx take them:
 *
 * <ul>
 *   <li>a directory; {@code -f FILE} as given (relative to the working directory), default {@code
 *       CONTEXT/Dockerfile} (or {@code CONTEXT/dockerfile} when only that exists);
 *   <li>{@code -}: stdin holds a tar of the context (plain, gzip, bzip2, xz or zstd), whose {@code
 *       Dockerfile} (or {@code -f}'s file, a path inside it) is read; or stdin holds a Dockerfile,
 *       and the context is empty;
 *   <li>a git URL ({@link GitContext}, {@code URL#REF:SUBDIR}), fetched with git: {@code -f}
 *       relative is inside the context, absolute is a file on this machine;
 *   <li>{@code -f -}: the Dockerfile from stdin (with any CONTEXT but {@code -}).
 * </ul>
 *
 * A missing context or Dockerfile is an error naming the path looked for. The temporary directories
 * this makes (stdin, git, named git contexts) are deleted by {@link #close}.
 */
final class BuildInputs implements AutoCloseable {
  private final Map<String, String> env;
  private final List<Path> temporary = new ArrayList<>();
  private Path context;
  private Path dockerfile;
  private String dockerfileName;

  /** Inputs read with {@code env} (its TMPDIR, and PATH for git). */
  BuildInputs(Map<String, String> env) {
    this.env = env;
  }

  /** The build context directory. */
  Path context() {
    return context;
  }

  /** The Dockerfile on disk. */
  Path dockerfile() {
    return dockerfile;
  }

  /** How errors name the Dockerfile. */
  String dockerfileName() {
    return dockerfileName;
  }

  /**
   * Resolves CONTEXT and {@code -f} ({@code file}, null when not given); reads {@code stdin} when
   * one of them is {@code -}.
   */
  void resolve(String ctx, String file, InputStream stdin) throws IOException {
    boolean dockerfileFromStdin = "-".equals(file);
    if (ctx.equals("-")) {
      if (dockerfileFromStdin) {
        throw new SlimbuildException(
            "the build context and the Dockerfile cannot both come from"
                + " stdin (CONTEXT - with -f -)");
      }
      fromStdin(file, stdin);
      return;
    }
    if (dockerfileFromStdin) {
      Path dir = temporary("slimbuild-dockerfile-");
      Path df = dir.resolve("Dockerfile");
      Files.copy(stdin, df);
      dockerfile = df;
      dockerfileName = "Dockerfile";
    }
    Optional<GitContext> git = GitContext.parse(ctx);
    if (git.isPresent()) {
      context = fetch(git.get());
      if (!dockerfileFromStdin) {
        if (file != null && Path.of(file).isAbsolute()) {
          local(file);
        } else {
          inside(file, "git context " + ctx);
        }
      }
      return;
    }
    if (ctx.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
      throw new SlimbuildException(
          "build context "
              + ctx
              + ": not supported; give a directory,"
              + " - (a tar on stdin) or a git URL (ending in .git, git://, ssh://, git@HOST:PATH,"
              + " file://)");
    }
    Path dir = Path.of(ctx);
    if (!Files.isDirectory(dir)) {
      throw new SlimbuildException(
          "build context "
              + ctx
              + ": "
              + (Files.exists(dir) ? "not a directory" : "no such directory")
              + " (looked for "
              + dir.toAbsolutePath().normalize()
              + ")");
    }
    context = dir;
    if (dockerfileFromStdin) {
      return;
    }
    if (file == null) {
      dockerfile = defaultDockerfile(dir);
      dockerfileName = dir.relativize(dockerfile).toString();
    } else {
      local(file);
    }
    if (!Files.exists(dockerfile)) {
      throw notFound(dockerfile, dockerfileName);
    }
  }

  /** {@code -f FILE} as a file on this machine. */
  private void local(String file) {
    dockerfile = Path.of(file);
    dockerfileName = file;
    if (!Files.exists(dockerfile)) {
      throw notFound(dockerfile, file);
    }
  }

  /** "Dockerfile not found: NAME (looked for PATH)", the path absolute unless NAME is it. */
  private static SlimbuildException notFound(Path file, String name) {
    String looked = file.toAbsolutePath().normalize().toString();
    return new SlimbuildException(
        "Dockerfile not found: "
            + name
            + (looked.equals(name) ? "" : " (looked for " + looked + ")"));
  }

  /**
   * {@code -f FILE} (default {@code Dockerfile}) inside the context, which came from {@code from}.
   */
  private void inside(String file, String from) {
    String rel;
    try {
      rel = file == null ? "" : LayerPaths.normalizeOrRoot(file);
    } catch (IllegalArgumentException e) {
      throw new SlimbuildException("-f " + file + ": leads out of the " + from);
    }
    dockerfile = rel.isEmpty() ? defaultDockerfile(context) : context.resolve(rel);
    dockerfileName = rel.isEmpty() ? context.relativize(dockerfile).toString() : file;
    if (!Files.isRegularFile(dockerfile)) {
      throw new SlimbuildException(
          "Dockerfile not found: no " + (rel.isEmpty() ? "Dockerfile" : rel) + " in the " + from);
    }
  }

  /** {@code DIR/Dockerfile}, or {@code DIR/dockerfile} when only that exists (as docker). */
  private static Path defaultDockerfile(Path dir) {
    Path upper = dir.resolve("Dockerfile");
    Path lower = dir.resolve("dockerfile");
    return !Files.exists(upper) && Files.isRegularFile(lower) ? lower : upper;
  }

  /** CONTEXT {@code -}: stdin is a tar of the context, or a Dockerfile (an empty context). */
  private void fromStdin(String file, InputStream stdin) throws IOException {
    Path dir = temporary("slimbuild-stdin-");
    Path raw = dir.resolve("stdin");
    Files.copy(stdin, raw); // once, to disk: memory stays flat whatever its size
    if (Files.size(raw) == 0) {
      throw new SlimbuildException(
          "build context -: stdin is empty (expected a tar of the" + " context, or a Dockerfile)");
    }
    context = Files.createDirectory(dir.resolve("context"));
    if (ArchiveExtractor.detect(raw).isPresent()) {
      try (InputStream in = Files.newInputStream(raw)) {
        ContextArchive.extract(in, context, "build context - (a tar on stdin)");
      }
      Files.delete(raw);
      inside(file, "tar on stdin");
      return;
    }
    if (file != null) {
      throw new SlimbuildException(
          "build context -: stdin holds a Dockerfile (it is not a tar),"
              + " and -f "
              + file
              + " names one too; give one of them");
    }
    dockerfile = Files.move(raw, dir.resolve("Dockerfile"), StandardCopyOption.ATOMIC_MOVE);
    dockerfileName = "Dockerfile";
  }

  /** Fetches a git context into a temporary directory; returns the context directory. */
  Path fetch(GitContext git) throws IOException {
    return git.fetch(temporary("slimbuild-git-"), env);
  }

  /** Parses a {@code --build-context} value (a git URL is fetched; see {@link #close}). */
  NamedContext named(String flag) throws IOException {
    return NamedContext.parse(flag, this::fetch);
  }

  private Path temporary(String prefix) throws IOException {
    Path dir = tempDir(env, prefix);
    temporary.add(dir);
    return dir;
  }

  /** A new directory under {@code $TMPDIR} (else java.io.tmpdir) of {@code env}. */
  static Path tempDir(Map<String, String> env, String prefix) throws IOException {
    String tmp = env.get("TMPDIR");
    Path base = Path.of(tmp != null && !tmp.isEmpty() ? tmp : System.getProperty("java.io.tmpdir"));
    Files.createDirectories(base);
    return Files.createTempDirectory(base, prefix);
  }

  /** Deletes the temporary directories. */
  @Override
  public void close() throws IOException {
    IOException failed = null;
    for (Path p : temporary) {
      try {
        Trees.delete(p);
      } catch (IOException e) {
        failed = e;
      }
    }
    temporary.clear();
    if (failed != null) {
      throw failed;
    }
  }
}
