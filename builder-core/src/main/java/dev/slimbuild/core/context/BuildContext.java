package dev.slimbuild.core.context;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.context.PatternMatcher.IgnorePattern;
import dev.slimbuild.core.context.PatternMatcher.WalkMatch;
import dev.slimbuild.core.fs.PosixModes;
import dev.slimbuild.core.oci.Canonical;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A build context directory seen through its ignore file, the way BuildKit sends it to a build:
 * ignored entries are absent, except that an ignored directory is still entered when a {@code !}
 * exception could re-include something beneath it (and it then appears as the parent of what is
 * re-included). Nothing outside the context is ever read: {@code ..} escapes and symlinks that lead
 * outside are refused.
 *
 * <p>Paths given to and returned by this class are relative to the context root and use {@code /};
 * a leading {@code /} is taken relative to the root, as BuildKit does for COPY sources.
 */
public final class BuildContext {
  private static final int MAX_LINK_HOPS = 255;
  private static final String PATTERN_CHARS = "*[]?^\\";

  private final Path root;
  private final Path ignoreFile;
  private final List<String> ignorePatterns;
  private final PatternMatcher matcher;
  private final boolean onlyPrefixExceptions;

  private BuildContext(Path root, Path ignoreFile, List<String> ignorePatterns) {
    this.root = root;
    this.ignoreFile = ignoreFile;
    this.ignorePatterns = ignorePatterns;
    try {
      this.matcher = new PatternMatcher(ignorePatterns);
    } catch (SlimbuildException e) {
      throw new SlimbuildException(ignoreFile + ": " + e.getMessage());
    }
    boolean onlyPrefix = true;
    for (IgnorePattern p : matcher.patterns()) {
      if (p.exclusion() && containsAny(withoutTrailingGlob(p), PATTERN_CHARS)) {
        onlyPrefix = false;
      }
    }
    this.onlyPrefixExceptions = onlyPrefix;
  }

  /**
   * Opens a context. Ignore rules come from {@code <dockerfile name>.dockerignore} beside the
   * Dockerfile if that exists, otherwise from {@code .dockerignore} at the context root.
   *
   * @param dockerfile the Dockerfile, or null if it does not come from a file
   * @throws SlimbuildException if the directory does not exist or the ignore file is malformed
   */
  public static BuildContext open(Path contextDir, Path dockerfile) throws IOException {
    if (!Files.isDirectory(contextDir)) {
      throw new SlimbuildException("build context " + contextDir + " is not a directory");
    }
    Path root = contextDir.toRealPath();
    Path ignore = null;
    if (dockerfile != null && dockerfile.getFileName() != null) {
      Path specific = dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore");
      if (Files.isRegularFile(specific)) {
        ignore = specific;
      }
    }
    if (ignore == null && Files.isRegularFile(root.resolve(".dockerignore"))) {
      ignore = root.resolve(".dockerignore");
    }
    List<String> patterns = List.of();
    if (ignore != null) {
      patterns = DockerIgnore.parse(new String(Files.readAllBytes(ignore), StandardCharsets.UTF_8));
    }
    return new BuildContext(root, ignore, patterns);
  }

  /** The real path of the context directory. */
  public Path root() {
    return root;
  }

  /** The ignore file in effect, if any. */
  Optional<Path> ignoreFile() {
    return Optional.ofNullable(ignoreFile);
  }

  /** The patterns read from the ignore file. */
  List<String> ignorePatterns() {
    return ignorePatterns;
  }

  /**
   * Whether the ignore rules leave {@code relPath} out of the context: it matches them, or lies in
   * an ignored directory that is not entered. An ignored directory may still appear as the parent
   * of a re-included entry. The path is taken literally (symlinks are not resolved).
   */
  public boolean isIgnored(String relPath) {
    String rel = normalize(relPath);
    if (rel.isEmpty()) {
      return false;
    }
    WalkMatch match = lookup(rel);
    return match == null || match.matched();
  }

  /**
   * The host path of {@code relPath}, following symlinks as long as they stay inside the context.
   *
   * @throws SlimbuildException if the path leaves the context ({@code ..}, or a symlink anywhere in
   *     it pointing outside) or is absent from the context (missing or ignored)
   */
  public Path resolve(String relPath) throws IOException {
    String real = resolveReal(relPath);
    return real.isEmpty() ? root : root.resolve(real);
  }

  /**
   * What {@code relPath} is after following symlinks inside the context: a FILE or a DIRECTORY
   * entry whose path is the resolved one ("." for the root is reported as a DIRECTORY).
   *
   * @throws SlimbuildException as {@link #resolve} does, or for a special file
   */
  public ContextEntry stat(String relPath) throws IOException {
    String real = resolveReal(relPath);
    if (real.isEmpty()) {
      int mode = attributes(root).mode();
      return new ContextEntry(".", ContextEntry.Type.DIRECTORY, 0, mode, null, root);
    }
    ContextEntry e = entry(real);
    if (e == null) {
      throw new SlimbuildException("\"" + relPath + "\" is not a regular file or directory");
    }
    return e;
  }

  /**
   * The context paths a COPY source names. Without wildcards that is the source itself (which must
   * exist). With {@code * ? [} in a segment, everything below the wildcard-free leading directories
   * whose relative path matches the rest (Go {@code filepath.Match}, {@code *} never crossing
   * {@code /}) — a matching directory is returned whole, not entered. Ignored entries never match.
   * Order: each directory's names sorted byte-wise, parents before children.
   *
   * @return context-relative paths ("." for the root)
   * @throws SlimbuildException if nothing matches or the source leaves the context
   */
  public List<String> expand(String sourcePattern) throws IOException {
    String rel = normalize(sourcePattern);
    String[] segments = rel.isEmpty() ? new String[0] : rel.split("/");
    int firstWild = 0;
    while (firstWild < segments.length && !GoGlob.containsWildcards(segments[firstWild])) {
      firstWild++;
    }
    if (firstWild == segments.length) {
      resolveReal(sourcePattern);
      return List.of(rel.isEmpty() ? "." : rel);
    }
    String base = String.join("/", Arrays.copyOfRange(segments, 0, firstWild));
    String pattern = String.join("/", Arrays.copyOfRange(segments, firstWild, segments.length));
    if (!GoGlob.isValid(pattern)) {
      throw new SlimbuildException(
          "COPY source \"" + sourcePattern + "\": syntax error in pattern \"" + pattern + "\"");
    }
    String baseReal;
    try {
      baseReal = resolveReal(base);
    } catch (OutsideContext e) {
      // refused, not "nothing matched": the files are there, outside the context
      throw new SlimbuildException("\"" + sourcePattern + "\": " + e.detail);
    } catch (SlimbuildException e) {
      throw notFound(sourcePattern);
    }
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(hostPath(baseReal), LinkOption.NOFOLLOW_LINKS)) {
      throw notFound(sourcePattern);
    }
    String[] skipUnder = {null};
    walkFrom(
        baseReal,
        entry -> {
          String path = entry.path();
          if (skipUnder[0] != null && path.startsWith(skipUnder[0])) {
            return true;
          }
          if (GoGlob.match(pattern, entry.relativeTo(baseReal))) {
            out.add(path);
            if (entry.type() == ContextEntry.Type.DIRECTORY) {
              skipUnder[0] = path + "/";
            }
          }
          return true;
        });
    if (out.isEmpty()) {
      throw notFound(sourcePattern);
    }
    return List.copyOf(out);
  }

  /**
   * Walks everything below {@code relDir} (symlinks on the way to it are followed inside the
   * context, none below it), depth first, each directory's entries sorted byte-wise by name,
   * skipping what the ignore rules leave out. The directory itself is not reported.
   *
   * @throws SlimbuildException if {@code relDir} is not a directory of the context
   */
  public void walk(String relDir, ContextVisitor visitor) throws IOException {
    String real = resolveReal(relDir);
    if (!Files.isDirectory(hostPath(real), LinkOption.NOFOLLOW_LINKS)) {
      throw new SlimbuildException("\"" + relDir + "\" is not a directory in the build context");
    }
    walkFrom(
        real,
        entry -> {
          visitor.visit(entry);
          return true;
        });
  }

  // ---------------------------------------------------------------------------------------------

  /** A context-relative clean path ("" for the root), refusing {@code ..} above the root. */
  private static String normalize(String relPath) {
    if (relPath.indexOf('\0') >= 0) {
      throw new SlimbuildException("path \"" + relPath + "\" contains a NUL character");
    }
    int start = 0;
    while (start < relPath.length() && relPath.charAt(start) == '/') {
      start++;
    }
    String clean = GoPaths.clean(relPath.substring(start));
    if (clean.equals("..") || clean.startsWith("../")) {
      throw new SlimbuildException("path \"" + relPath + "\" is outside the build context");
    }
    return clean.equals(".") ? "" : clean;
  }

  private Path hostPath(String real) {
    return real.isEmpty() ? root : root.resolve(real);
  }

  private SlimbuildException notFound(String source) {
    return new SlimbuildException(
        "\""
            + source
            + "\": not found in the build context"
            + (ignoreFile == null ? "" : " (or excluded by " + ignoreFile.getFileName() + ")"));
  }

  /** A path that leads out of the context through a symlink or {@code ..}. */
  private static final class OutsideContext extends SlimbuildException {
    private static final long serialVersionUID = 1L;
    final String detail;

    OutsideContext(String relPath, String detail) {
      super("\"" + relPath + "\": " + detail);
      this.detail = detail;
    }
  }

  /**
   * Refuses a Dockerfile that lies in the context directory but is a symlink (or below one) that
   * leads out of it, before anything reads it: a context file may not read host files, and its
   * first line would be shown in a syntax error. A Dockerfile named outside the context ({@code
   * -f}) is the user's own choice and is not checked.
   *
   * @throws SlimbuildException naming the Dockerfile and where it leads
   */
  public static void checkDockerfile(Path contextDir, Path dockerfile) throws IOException {
    if (dockerfile == null || !Files.isDirectory(contextDir)) {
      return;
    }
    Path root = contextDir.toRealPath();
    Path lexical = contextDir.toAbsolutePath().normalize();
    Path file = dockerfile.toAbsolutePath().normalize();
    Path rel;
    if (file.startsWith(lexical)) {
      rel = lexical.relativize(file);
    } else if (file.startsWith(root)) {
      rel = root.relativize(file);
    } else {
      return;
    }
    if (rel.toString().isEmpty() || !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path real;
    try {
      real = file.toRealPath();
    } catch (NoSuchFileException e) {
      real = null; // a dangling link: reading it fails as "not found"
    }
    if (real != null && !real.startsWith(root)) {
      throw new SlimbuildException(
          "Dockerfile "
              + dockerfile
              + " is a symlink to "
              + real
              + ", outside the build context "
              + root
              + "; refused (a file of the context may not"
              + " lead out of it)");
    }
  }

  /** Resolves component by component, following symlinks, checking containment and presence. */
  private String resolveReal(String relPath) throws IOException {
    String rel = normalize(relPath);
    Deque<String> todo = new ArrayDeque<>();
    if (!rel.isEmpty()) {
      todo.addAll(Arrays.asList(rel.split("/")));
    }
    String current = "";
    int hops = 0;
    while (!todo.isEmpty()) {
      String component = todo.pollFirst();
      if (component.isEmpty() || component.equals(".")) {
        continue;
      }
      if (component.equals("..")) {
        if (current.isEmpty()) {
          throw new OutsideContext(relPath, "a symlink in it points outside the build context");
        }
        int slash = current.lastIndexOf('/');
        current = slash < 0 ? "" : current.substring(0, slash);
        continue;
      }
      String candidate = current.isEmpty() ? component : current + "/" + component;
      Path host = root.resolve(candidate);
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(host, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        throw notFound(relPath);
      }
      if (!isPresent(candidate, attrs.isDirectory())) {
        throw notFound(relPath);
      }
      if (attrs.isSymbolicLink()) {
        if (++hops > MAX_LINK_HOPS) {
          throw new SlimbuildException("\"" + relPath + "\": too many levels of symbolic links");
        }
        String target = Files.readSymbolicLink(host).toString();
        List<String> rest = new ArrayList<>(todo);
        todo.clear();
        if (target.startsWith("/")) {
          Path absolute = Path.of(target).normalize();
          if (!absolute.startsWith(root)) {
            throw new OutsideContext(
                relPath,
                "symlink \""
                    + candidate
                    + "\" points outside the build context (to "
                    + target
                    + ")");
          }
          current = "";
          String inside = root.relativize(absolute).toString();
          if (!inside.isEmpty()) {
            todo.addAll(Arrays.asList(inside.split("/")));
          }
        } else {
          todo.addAll(Arrays.asList(target.split("/")));
        }
        todo.addAll(rest);
        continue;
      }
      if (!todo.isEmpty() && !attrs.isDirectory()) {
        throw notFound(relPath);
      }
      current = candidate;
    }
    return current;
  }

  /** The ignore match of a path; null if an ancestor directory is not entered. */
  private WalkMatch lookup(String rel) {
    String[] parts = rel.split("/");
    WalkMatch match = null;
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        prefix.append('/');
      }
      prefix.append(parts[i]);
      match = matcher.matchesUsingParent(prefix.toString(), match);
      if (i < parts.length - 1 && match.matched() && !entersIgnoredDir(prefix.toString())) {
        return null;
      }
    }
    return match;
  }

  /**
   * Whether a path is in the context as sent: not ignored, or an ignored dir above a kept entry.
   */
  private boolean isPresent(String rel, boolean isDirectory) throws IOException {
    WalkMatch match = lookup(rel);
    if (match == null) {
      return false;
    }
    if (!match.matched()) {
      return true;
    }
    if (!isDirectory || !entersIgnoredDir(rel)) {
      return false;
    }
    boolean[] found = {false};
    walkFrom(
        rel,
        entry -> {
          found[0] = true;
          return false;
        });
    return found[0];
  }

  /**
   * Whether a walk enters an ignored directory (BuildKit's rule): only if some exception could
   * match beneath it; with wildcard exceptions, always.
   */
  private boolean entersIgnoredDir(String dirRel) {
    if (!matcher.hasExclusions()) {
      return false;
    }
    if (!onlyPrefixExceptions) {
      return true;
    }
    String dirSlash = dirRel + "/";
    for (IgnorePattern p : matcher.patterns()) {
      if (p.exclusion() && (withoutTrailingGlob(p) + "/").startsWith(dirSlash)) {
        return true;
      }
    }
    return false;
  }

  private static String withoutTrailingGlob(IgnorePattern p) {
    String s = p.pattern();
    if (s.endsWith("/**")) {
      s = s.substring(0, s.length() - 3);
    }
    if (s.endsWith("/*")) {
      s = s.substring(0, s.length() - 2);
    }
    return s;
  }

  private static boolean containsAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** Receives walk entries; returning false stops the walk. */
  private interface Sink {
    boolean accept(ContextEntry entry) throws IOException;
  }

  /** An ignored directory that was entered but not reported yet. */
  private static final class Pending {
    final ContextEntry entry;
    boolean reported;

    Pending(ContextEntry entry) {
      this.entry = entry;
    }
  }

  /** Walks below the real context path {@code startReal}; false if the sink stopped it. */
  private boolean walkFrom(String startReal, Sink sink) throws IOException {
    WalkMatch start = null;
    if (!startReal.isEmpty()) {
      start = lookup(startReal);
      if (start == null) {
        return true;
      }
    }
    return walkDir(startReal, start, new ArrayList<>(), sink);
  }

  private boolean walkDir(String dirRel, WalkMatch dirMatch, List<Pending> pending, Sink sink)
      throws IOException {
    for (String name : sortedNames(hostPath(dirRel))) {
      String rel = dirRel.isEmpty() ? name : dirRel + "/" + name;
      ContextEntry entry = entry(rel);
      if (entry == null) {
        continue;
      }
      boolean isDir = entry.type() == ContextEntry.Type.DIRECTORY;
      WalkMatch match = matcher.matchesUsingParent(rel, dirMatch);
      boolean ignored = match.matched();
      if (ignored && isDir && !entersIgnoredDir(rel)) {
        continue;
      }
      if (!ignored) {
        for (Pending p : pending) {
          if (!p.reported) {
            p.reported = true;
            if (!sink.accept(p.entry)) {
              return false;
            }
          }
        }
        if (!sink.accept(entry)) {
          return false;
        }
      }
      if (isDir) {
        if (ignored) {
          pending.add(new Pending(entry));
        }
        boolean go = walkDir(rel, match, pending, sink);
        if (ignored) {
          pending.remove(pending.size() - 1);
        }
        if (!go) {
          return false;
        }
      }
    }
    return true;
  }

  private static List<String> sortedNames(Path dir) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path child : stream) {
        names.add(child.getFileName().toString());
      }
    }
    // UTF-8 byte order; decoded file names have no unpaired surrogates
    names.sort(Canonical.GO_KEY_ORDER);
    return names;
  }

  /** The entry for a context path, or null for special files (sockets, devices, fifos). */
  private ContextEntry entry(String rel) throws IOException {
    Path host = root.resolve(rel);
    Attributes attrs = attributes(host);
    int mode = attrs.mode();
    if (attrs.symlink()) {
      return new ContextEntry(
          rel, ContextEntry.Type.SYMLINK, 0, mode, Files.readSymbolicLink(host).toString(), host);
    }
    if (attrs.directory()) {
      return new ContextEntry(rel, ContextEntry.Type.DIRECTORY, 0, mode, null, host);
    }
    if (attrs.regularFile()) {
      return new ContextEntry(rel, ContextEntry.Type.FILE, attrs.size(), mode, null, host);
    }
    return null;
  }

  /** What an entry needs of a path's attributes (the path itself, not a symlink's target). */
  private record Attributes(
      boolean symlink, boolean directory, boolean regularFile, long size, int mode) {}

  private static final String UNIX_ATTRIBUTES =
      "unix:mode,size,isSymbolicLink,isDirectory,isRegularFile";

  /**
   * One read of a path's attributes. The mode has setuid/setgid/sticky where the file system
   * reports {@code unix:mode}, else only the nine permission bits.
   */
  private static Attributes attributes(Path host) throws IOException {
    try {
      Map<String, Object> a =
          Files.readAttributes(host, UNIX_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
      return new Attributes(
          (Boolean) a.get("isSymbolicLink"),
          (Boolean) a.get("isDirectory"),
          (Boolean) a.get("isRegularFile"),
          (Long) a.get("size"),
          (Integer) a.get("mode") & 07777);
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      // no unix view: fall back to the POSIX view below
    }
    PosixFileAttributes attrs =
        Files.readAttributes(host, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return new Attributes(
        attrs.isSymbolicLink(),
        attrs.isDirectory(),
        attrs.isRegularFile(),
        attrs.size(),
        PosixModes.mode(attrs.permissions()));
  }
}
