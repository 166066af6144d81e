package dev.slimbuild.core.build;

import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.context.ContextEntry;
import dev.slimbuild.core.context.GoGlob;
import dev.slimbuild.core.context.PatternMatcher;
import dev.slimbuild.core.dockerfile.AddInstruction;
import dev.slimbuild.core.dockerfile.CopyInstruction;
import dev.slimbuild.core.dockerfile.Heredoc;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.layer.ArchiveExtractor;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What one COPY or ADD adds to a stage, as BuildKit copies: each source (a file, a directory whose
 * contents are copied, a symlink that is followed) into the destination, which is a directory when
 * it ends with {@code /}, when several files are copied, or when it is one already. The layer gets
 * exactly the copied entries plus the directories above them (existing ones with their own
 * metadata, new ones 0755 or the --chmod mode).
 */
final class Copier {
  /** The options of one COPY/ADD, after expansion. */
  record Spec(
      Instruction where,
      List<String> sources,
      List<Heredoc> heredocs,
      String destination,
      Optional<UserDb.Owner> owner,
      Optional<Integer> chmod,
      List<String> excludes,
      boolean unpackArchives,
      UnaryOperator<String> heredocExpander,
      List<UrlFetcher.Fetched> downloads) {}

  private final FileTree tree;
  private final String workdir;
  private final Path staging;

  Copier(FileTree tree, String workdir, Path staging) {
    this.tree = tree;
    this.workdir = workdir;
    this.staging = staging;
  }

  /** A source found by a pattern: a directory (copied by its contents) or one non-directory. */
  private interface Item {
    boolean isDirectory();

    String name();

    /** Adds the item's entries, with paths relative to the item for a directory. */
    void entries(Map<String, LayerEntry> out, String dest, Spec spec) throws IOException;
  }

  /** Entries for COPY/ADD from the build context. */
  List<LayerEntry> fromContext(BuildContext ctx, Spec spec) throws IOException {
    checkNoEmptySource(spec);
    if (parents(spec)) {
      return copyParents(new ContextSource(ctx, spec), spec);
    }
    List<Item> items = new ArrayList<>();
    for (String src : spec.sources()) {
      for (String match : matchContext(ctx, src, spec.where())) {
        ContextEntry e = ctx.stat(match);
        items.add(new ContextItem(ctx, e, LayerPaths.name(match.equals(".") ? "." : match)));
      }
    }
    return copy(items, spec);
  }

  /** Entries for COPY --from=STAGE, reading the stage's file tree. */
  List<LayerEntry> fromTree(FileTree src, Spec spec) throws IOException {
    checkNoEmptySource(spec);
    if (parents(spec)) {
      return copyParents(new TreeSource(src, spec), spec);
    }
    List<Item> items = new ArrayList<>();
    for (String pattern : spec.sources()) {
      List<String> matches = matchTree(src, TreePaths.absolute("/", pattern));
      if (matches.isEmpty() && !GoGlob.containsWildcards(pattern)) {
        throw spec.where().location().error("failed to copy: \"" + pattern + "\": not found");
      }
      for (String m : matches) {
        String resolved = TreePaths.resolve(src, m, true);
        if (resolved.isEmpty()) {
          // the stage's whole root ("/", ".", or a link to it): its contents, as BuildKit copies
          items.add(new TreeItem(src, null, ""));
          continue;
        }
        LayerEntry e =
            src.get(resolved)
                .orElseThrow(
                    () ->
                        spec.where()
                            .location()
                            .error("failed to copy: \"" + pattern + "\": not found"));
        items.add(new TreeItem(src, e, m.isEmpty() ? "" : LayerPaths.name(m)));
      }
    }
    return copy(items, spec);
  }

  /**
   * A source that expands to nothing ({@code COPY $unset /dst}) is refused. BuildKit reads it as
   * the root and copies the whole context (or stage); that is never what such a line means.
   */
  private static void checkNoEmptySource(Spec spec) {
    List<String> raw =
        spec.where() instanceof CopyInstruction c
            ? c.sources()
            : spec.where() instanceof AddInstruction a ? a.sources() : List.of();
    for (String src : spec.sources()) {
      if (src.isEmpty()) {
        String written =
            raw.stream()
                .filter(r -> r.contains("$"))
                .map(r -> " (" + r + ")")
                .findFirst()
                .orElse("");
        throw spec.where()
            .location()
            .error(
                spec.where().keyword()
                    + " source"
                    + written
                    + " is empty after variable expansion; use . to copy the whole context");
      }
    }
  }

  private static boolean parents(Spec spec) {
    return spec.where() instanceof CopyInstruction c && c.parents();
  }

  private static List<String> matchContext(BuildContext ctx, String src, Instruction where)
      throws IOException {
    try {
      return ctx.expand(src);
    } catch (SlimbuildException e) {
      if (GoGlob.containsWildcards(src) && e.getMessage().contains("not found")) {
        return List.of(); // BuildKit allows a wildcard that matches nothing
      }
      throw where.location().error(where.keyword() + " failed: " + e.getMessage());
    }
  }

  private List<LayerEntry> copy(List<Item> items, Spec spec) throws IOException {
    int count = items.size() + spec.heredocs().size() + spec.downloads().size();
    String dest = spec.destination();
    boolean endsWithSlash = dest.endsWith("/") || dest.endsWith("/.") || dest.equals(".");
    // counted after wildcards are expanded (a wildcard that matches nothing adds no source), and
    // only what would land on the destination path itself: a directory's contents and an extracted
    // archive go into it, as BuildKit copies them (ADD *.tar /dest extracts both)
    int files = spec.heredocs().size() + spec.downloads().size();
    for (Item item : items) {
      if (!item.isDirectory()
          && !(spec.unpackArchives() && item instanceof ContextItem ci && ci.isArchive())) {
        files++;
      }
    }
    if (files > 1 && !endsWithSlash) {
      throw spec.where()
          .location()
          .error(
              "When using "
                  + spec.where().keyword()
                  + " with more than one source file, the destination must be a directory and"
                  + " end with a /");
    }
    String destPath = TreePaths.resolve(tree, TreePaths.absolute(workdir, dest), true);
    boolean destExistsAsDir =
        tree.get(destPath).map(LayerEntry::isDirectory).orElse(destPath.isEmpty());
    boolean anyDir = items.stream().anyMatch(Item::isDirectory);
    boolean destIsDir = endsWithSlash || count > 1 || destExistsAsDir;

    Map<String, LayerEntry> out = new LinkedHashMap<>();
    for (Item item : items) {
      if (item.isDirectory()) {
        item.entries(out, destPath, spec);
      } else if (spec.unpackArchives() && item instanceof ContextItem ci && ci.isArchive()) {
        for (LayerEntry e : extract(ci, destPath, spec)) {
          out.put(e.path(), spec.owner().map(o -> e.withOwner(o.uid(), o.gid())).orElse(e));
        }
      } else {
        String target = destIsDir ? LayerPaths.join(destPath, item.name()) : destPath;
        item.entries(out, target, spec);
      }
    }
    for (Heredoc h : spec.heredocs()) {
      // a quoted delimiter (<<'EOF', <<"EOF") keeps the body as written
      String text = h.expand() ? spec.heredocExpander().apply(h.text()) : h.text();
      byte[] data = text.getBytes(StandardCharsets.UTF_8);
      String target = destIsDir ? LayerPaths.join(destPath, h.name()) : destPath;
      put(
          out,
          LayerEntry.file(
              target,
              spec.chmod().orElse(0644),
              uid(spec),
              gid(spec),
              data.length,
              ContentSource.ofBytes(data)));
    }
    for (UrlFetcher.Fetched f : spec.downloads()) {
      // Docker gives downloaded files mode 0600 and never unpacks them
      String target = destIsDir ? LayerPaths.join(destPath, f.fileName()) : destPath;
      put(
          out,
          LayerEntry.file(
              target,
              spec.chmod().orElse(0600),
              uid(spec),
              gid(spec),
              f.size(),
              ContentSource.ofPath(f.file())));
    }
    if ((destIsDir || anyDir) && !destPath.isEmpty() && !destExistsAsDir) {
      out.putIfAbsent(destPath, LayerEntry.dir(destPath, newDirMode(spec), uid(spec), gid(spec)));
    }
    return withParents(out, spec);
  }

  /**
   * Extracts one archive, staging its contents in a directory of its own (an extractor numbers its
   * staged files from 1, so two ADDs must not share a directory); a refused or corrupt archive is
   * reported at the instruction's line.
   */
  private List<LayerEntry> extract(ContextItem item, String destPath, Spec spec)
      throws IOException {
    Path own = Files.createTempDirectory(staging, "add-");
    try {
      return new ArchiveExtractor(own).extract(item.entry.file(), destPath);
    } catch (SlimbuildException e) {
      throw spec.where().location().error(e.getMessage());
    }
  }

  /**
   * Adds every missing parent: an existing directory as it is, a new one owned like the copy, 0755
   * or --chmod's mode.
   */
  private List<LayerEntry> withParents(Map<String, LayerEntry> out, Spec spec) {
    Map<String, LayerEntry> parents = new LinkedHashMap<>();
    for (String p : out.keySet()) {
      for (String d = LayerPaths.parent(p); !d.isEmpty(); d = LayerPaths.parent(d)) {
        if (out.containsKey(d) || parents.containsKey(d)) {
          break;
        }
        Optional<LayerEntry> existing = tree.get(d);
        if (existing.isPresent() && !existing.get().isDirectory()) {
          throw spec.where()
              .location()
              .error("cannot copy to /" + p + ": /" + d + " exists and is not a directory");
        }
        parents.put(d, existing.orElse(LayerEntry.dir(d, newDirMode(spec), uid(spec), gid(spec))));
      }
    }
    List<LayerEntry> all = new ArrayList<>(parents.values());
    all.addAll(out.values());
    return all;
  }

  /**
   * The mode of a directory the copy creates: --chmod's when given (BuildKit's copy creates the
   * destination and its missing parents with that mode), else 0755.
   */
  private static int newDirMode(Spec s) {
    return s.chmod().orElse(0755);
  }

  private static int uid(Spec s) {
    return s.owner().map(UserDb.Owner::uid).orElse(0);
  }

  private static int gid(Spec s) {
    return s.owner().map(UserDb.Owner::gid).orElse(0);
  }

  private static void put(Map<String, LayerEntry> out, LayerEntry e) {
    out.remove(e.path()); // a later source replaces an earlier one at the same path
    out.put(e.path(), e);
  }

  private static PatternMatcher excludes(Spec spec) {
    return spec.excludes().isEmpty() ? null : new PatternMatcher(spec.excludes());
  }

  /** A context file, directory or (followed) symlink target. */
  private static final class ContextItem implements Item {
    private final BuildContext ctx;
    private final ContextEntry entry;
    private final String name;

    ContextItem(BuildContext ctx, ContextEntry entry, String name) {
      this.ctx = ctx;
      this.entry = entry;
      this.name = name;
    }

    @Override
    public boolean isDirectory() {
      return entry.type() == ContextEntry.Type.DIRECTORY;
    }

    @Override
    public String name() {
      return name;
    }

    boolean isArchive() throws IOException {
      return entry.type() == ContextEntry.Type.FILE
          && ArchiveExtractor.detect(entry.file()).isPresent();
    }

    @Override
    public void entries(Map<String, LayerEntry> out, String dest, Spec spec) throws IOException {
      PatternMatcher ex = excludes(spec);
      if (!isDirectory()) {
        if (ex == null || !ex.matches(name)) {
          put(out, convert(entry, dest, spec));
        }
        return;
      }
      String base = entry.path();
      ctx.walk(
          base,
          e -> {
            String rel = e.relativeTo(base);
            if (ex == null || !ex.matches(rel)) {
              put(out, convert(e, LayerPaths.join(dest, rel), spec));
            }
          });
    }

    private LayerEntry convert(ContextEntry e, String path, Spec spec) {
      return contextEntry(e, path, spec);
    }
  }

  /** The context entry {@code e} copied to {@code path}, with --chown/--chmod. */
  private static LayerEntry contextEntry(ContextEntry e, String path, Spec spec) {
    int uid = uid(spec);
    int gid = gid(spec);
    return switch (e.type()) {
      case FILE ->
          LayerEntry.file(
              path,
              spec.chmod().orElse(e.mode()),
              uid,
              gid,
              e.size(),
              ContentSource.ofPath(e.file()));
      case DIRECTORY -> LayerEntry.dir(path, spec.chmod().orElse(e.mode()), uid, gid);
      case SYMLINK -> LayerEntry.symlink(path, e.linkTarget(), uid, gid);
    };
  }

  /** An entry of another stage's file tree. */
  private static final class TreeItem implements Item {
    private final FileTree src;
    private final LayerEntry entry;
    private final String name;

    TreeItem(FileTree src, LayerEntry entry, String name) {
      this.src = src;
      this.entry = entry;
      this.name = name;
    }

    @Override
    public boolean isDirectory() {
      return entry == null || entry.isDirectory();
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void entries(Map<String, LayerEntry> out, String dest, Spec spec) {
      PatternMatcher ex = excludes(spec);
      if (!isDirectory()) {
        if (ex == null || !ex.matches(name)) {
          put(out, convert(entry, dest, spec));
        }
        return;
      }
      String root = entry == null ? "" : entry.path();
      String prefix = root.isEmpty() ? "" : root + "/";
      for (LayerEntry e : src.walk(root)) {
        if (e.path().equals(root)) {
          continue;
        }
        String rel = e.path().substring(prefix.length());
        if (ex == null || !ex.matches(rel)) {
          put(out, convert(e, LayerPaths.join(dest, rel), spec));
        }
      }
    }

    private LayerEntry convert(LayerEntry e, String path, Spec spec) {
      return treeEntry(src, e, path, spec);
    }
  }

  /** {@code e} of the stage tree {@code src} copied to {@code path}, with --chown/--chmod. */
  private static LayerEntry treeEntry(FileTree src, LayerEntry e, String path, Spec spec) {
    LayerEntry c = e;
    if (e.type() == EntryType.HARDLINK) {
      // the link's target may not be copied along: carry the bytes
      LayerEntry t =
          src.get(e.linkTarget())
              .orElseThrow(() -> new SlimbuildException("dangling hard link /" + e.path()));
      c = LayerEntry.file(path, e.mode(), e.uid(), e.gid(), t.size(), t.content());
    }
    c = c.withPath(path);
    if (spec.owner().isPresent()) {
      c = c.withOwner(spec.owner().get().uid(), spec.owner().get().gid());
    }
    if (spec.chmod().isPresent() && c.type() != EntryType.SYMLINK) {
      c =
          new LayerEntry(
              c.path(),
              c.type(),
              spec.chmod().get(),
              c.uid(),
              c.gid(),
              c.size(),
              c.linkTarget(),
              c.content(),
              c.xattrs());
    }
    return c;
  }

  // --- COPY --parents --------------------------------------------------------------------------

  /**
   * What COPY --parents reads from: the build context or a stage's files. Paths are relative to the
   * source's root, {@code ""} for the root; a pivot is a directory whose subtree is copied with the
   * paths below it kept.
   */
  private interface ParentsSource {
    /** The directories {@code pivot} names (wildcards expanded), resolved; empty when none. */
    List<String> pivots(String pivot) throws IOException;

    /** Whether {@code rel} exists below {@code pivot} (symlinks followed). */
    boolean exists(String pivot, String rel) throws IOException;

    /**
     * {@code rel} below {@code pivot} and everything under it, each as its path relative to the
     * pivot (the names as written, symlinks on the way followed) and the entry copied to a target.
     */
    void walk(String pivot, String rel, Map<String, Placed> out) throws IOException;
  }

  /** A source entry found below a pivot: whether it is a directory, and its copy at a target. */
  private record Placed(boolean directory, Function<String, LayerEntry> at) {}

  /**
   * COPY --parents, as BuildKit's current syntax copies: each source keeps its path below a pivot
   * directory, which is the source's root unless the source marks one with {@code /./} (the first
   * such mark: {@code /a/./b/c} copies {@code b/c}). The pivot may hold wildcards; the part after
   * it is matched like a .dockerignore pattern ({@code **} spans directories; a matched directory
   * comes whole), the directories on the way keep their own metadata. A source without wildcards
   * must exist; one with wildcards may match nothing. The destination is always a directory.
   */
  private List<LayerEntry> copyParents(ParentsSource source, Spec spec) throws IOException {
    String destPath =
        TreePaths.resolve(tree, TreePaths.absolute(workdir, spec.destination()), true);
    Map<String, LayerEntry> out = new LinkedHashMap<>();
    PatternMatcher ex = excludes(spec);
    for (String src : spec.sources()) {
      int mark = src.indexOf("/./");
      String pivot = mark < 0 ? "/" : src.substring(0, mark);
      String pattern;
      try {
        pattern = LayerPaths.normalizeOrRoot(mark < 0 ? src : src.substring(mark + 3));
      } catch (IllegalArgumentException e) {
        throw spec.where()
            .location()
            .error(spec.where().keyword() + " --parents: \"" + src + "\" leaves its source");
      }
      String[] segs = pattern.isEmpty() ? new String[0] : pattern.split("/");
      int fixed = 0;
      while (fixed < segs.length && !GoGlob.containsWildcards(segs[fixed])) {
        fixed++;
      }
      boolean literal = fixed == segs.length && !GoGlob.containsWildcards(pivot);
      // walk only below the pattern's leading directories without wildcards
      String start =
          String.join(
              "/",
              Arrays.copyOfRange(segs, 0, fixed == segs.length ? Math.max(0, fixed - 1) : fixed));
      PatternMatcher include = pattern.isEmpty() ? null : new PatternMatcher(List.of(pattern));
      List<String> pivots = source.pivots(pivot);
      boolean found = false;
      for (String p : pivots) {
        Map<String, Placed> below = new LinkedHashMap<>();
        source.walk(p, start, below);
        for (Map.Entry<String, Placed> e : below.entrySet()) {
          String rel = e.getKey();
          if (rel.isEmpty() || (include != null && !include.matches(rel))) {
            continue;
          }
          if (ex != null && ex.matches(rel)) {
            continue;
          }
          found = true;
          // the directories on the way, with their own metadata
          for (String d = LayerPaths.parent(rel); !d.isEmpty(); d = LayerPaths.parent(d)) {
            Placed dir = below.get(d);
            if (dir != null) {
              out.putIfAbsent(
                  LayerPaths.join(destPath, d), dir.at().apply(LayerPaths.join(destPath, d)));
            }
          }
          String target = LayerPaths.join(destPath, rel);
          put(out, e.getValue().at().apply(target));
        }
        if (pattern.isEmpty()) {
          found = true;
        }
      }
      if (literal && (pivots.isEmpty() || (!found && !source.exists(pivots.get(0), pattern)))) {
        throw spec.where().location().error("failed to copy: \"" + src + "\": not found");
      }
    }
    if (!destPath.isEmpty() && !tree.get(destPath).map(LayerEntry::isDirectory).orElse(false)) {
      out.putIfAbsent(destPath, LayerEntry.dir(destPath, newDirMode(spec), uid(spec), gid(spec)));
    }
    // parents first, in path order, as the layer lists them
    Map<String, LayerEntry> sorted = new TreeMap<>(out);
    return withParents(new LinkedHashMap<>(sorted), spec);
  }

  /** The build context as a COPY --parents source. */
  private static final class ContextSource implements ParentsSource {
    private final BuildContext ctx;
    private final Spec spec;

    ContextSource(BuildContext ctx, Spec spec) {
      this.ctx = ctx;
      this.spec = spec;
    }

    @Override
    public List<String> pivots(String pivot) throws IOException {
      List<String> named;
      try {
        named = ctx.expand(pivot);
      } catch (SlimbuildException e) {
        if (GoGlob.containsWildcards(pivot) || e.getMessage().contains("not found")) {
          return List.of();
        }
        throw spec.where().location().error(spec.where().keyword() + " failed: " + e.getMessage());
      }
      List<String> out = new ArrayList<>();
      for (String n : named) {
        ContextEntry e = ctx.stat(n);
        if (e.type() == ContextEntry.Type.DIRECTORY) {
          out.add(e.path().equals(".") ? "" : e.path());
        }
      }
      return out;
    }

    @Override
    public boolean exists(String pivot, String rel) throws IOException {
      try {
        ctx.stat(LayerPaths.join(pivot, rel));
        return true;
      } catch (SlimbuildException e) {
        return false;
      }
    }

    @Override
    public void walk(String pivot, String rel, Map<String, Placed> out) throws IOException {
      ContextEntry top;
      try {
        top = ctx.stat(LayerPaths.join(pivot, rel).isEmpty() ? "." : LayerPaths.join(pivot, rel));
      } catch (SlimbuildException e) {
        return; // nothing there: a wildcard matches nothing, a missing literal path is reported
      }
      // the directories above the walk, so that they keep their metadata
      String above = "";
      for (String seg : rel.isEmpty() ? new String[0] : rel.split("/")) {
        above = LayerPaths.join(above, seg);
        ContextEntry d = ctx.stat(LayerPaths.join(pivot, above));
        out.put(
            above,
            new Placed(d.type() == ContextEntry.Type.DIRECTORY, t -> contextEntry(d, t, spec)));
      }
      if (top.type() != ContextEntry.Type.DIRECTORY) {
        return;
      }
      String base = top.path();
      ctx.walk(
          base,
          e ->
              out.put(
                  LayerPaths.join(rel, e.relativeTo(base)),
                  new Placed(
                      e.type() == ContextEntry.Type.DIRECTORY, t -> contextEntry(e, t, spec))));
    }
  }

  /** A stage's files as a COPY --parents source. */
  private static final class TreeSource implements ParentsSource {
    private final FileTree src;
    private final Spec spec;

    TreeSource(FileTree src, Spec spec) {
      this.src = src;
      this.spec = spec;
    }

    @Override
    public List<String> pivots(String pivot) {
      List<String> out = new ArrayList<>();
      for (String m : matchTree(src, TreePaths.absolute("/", pivot))) {
        String real = TreePaths.resolve(src, m, true);
        if (real.isEmpty() || src.get(real).map(LayerEntry::isDirectory).orElse(false)) {
          out.add(real);
        }
      }
      return out;
    }

    @Override
    public boolean exists(String pivot, String rel) {
      String real = TreePaths.resolve(src, LayerPaths.join(pivot, rel), true);
      return real.isEmpty() || src.get(real).isPresent();
    }

    @Override
    public void walk(String pivot, String rel, Map<String, Placed> out) {
      String above = "";
      for (String seg : rel.isEmpty() ? new String[0] : rel.split("/")) {
        above = LayerPaths.join(above, seg);
        String real = TreePaths.resolve(src, LayerPaths.join(pivot, above), true);
        Optional<LayerEntry> d = src.get(real);
        if (d.isEmpty()) {
          return;
        }
        out.put(above, new Placed(d.get().isDirectory(), t -> treeEntry(src, d.get(), t, spec)));
      }
      String top = TreePaths.resolve(src, LayerPaths.join(pivot, rel), true);
      if (!top.isEmpty() && !src.get(top).map(LayerEntry::isDirectory).orElse(false)) {
        return;
      }
      String prefix = top.isEmpty() ? "" : top + "/";
      for (LayerEntry e : src.walk(top)) {
        if (e.path().equals(top)) {
          continue;
        }
        out.put(
            LayerPaths.join(rel, e.path().substring(prefix.length())),
            new Placed(e.isDirectory(), t -> treeEntry(src, e, t, spec)));
      }
    }
  }

  /** Paths in {@code src} matching {@code pattern} segment by segment (Go filepath.Match). */
  static List<String> matchTree(FileTree src, String pattern) {
    List<String> current = new ArrayList<>(List.of(""));
    if (pattern.isEmpty()) {
      return current;
    }
    for (String seg : pattern.split("/")) {
      List<String> next = new ArrayList<>();
      for (String dir : current) {
        String real = TreePaths.resolve(src, dir, true);
        if (!GoGlob.containsWildcards(seg)) {
          String p = LayerPaths.join(dir, seg);
          if (src.get(TreePaths.resolve(src, p, false)).isPresent()) {
            next.add(p);
          }
          continue;
        }
        for (LayerEntry child : src.list(real)) {
          String childName = LayerPaths.name(child.path());
          if (GoGlob.match(seg, childName)) {
            next.add(LayerPaths.join(dir, childName));
          }
        }
      }
      current = next;
    }
    return current;
  }
}
