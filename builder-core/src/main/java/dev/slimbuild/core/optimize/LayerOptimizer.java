package dev.slimbuild.core.optimize;

import dev.slimbuild.core.layer.Count;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.Layer;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerPaths;
import dev.slimbuild.core.layer.LayerSavings;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Optimises the new layers of one stage before they are written: per layer, cache stripping by
 * rule, then leaving out what a later layer of the stage deletes or overwrites, then leaving out
 * what the layers below already hold identically (size first, content hash only when sizes match),
 * then optional hardlinks between identical files; finally an optional squash. One instance serves
 * a whole build, so each content is hashed once.
 */
public final class LayerOptimizer {
  private final OptimizeOptions options;
  private final ContentHashes hashes = new ContentHashes();
  private final Map<Digest, LayerReport> written = new ConcurrentHashMap<>();
  private final Map<StageOf, List<LayerReport>> omitted = new ConcurrentHashMap<>();

  /** A stage of one platform's build: what {@link #recordOmitted} files steps under. */
  private record StageOf(Platform platform, int stageIndex) {}

  public LayerOptimizer(OptimizeOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  public OptimizeOptions options() {
    return options;
  }

  /**
   * Remembers a layer the build wrote, for {@link #report}. When two steps make the same blob the
   * later one wins: stages run in order, so the final stage's step names it.
   */
  public void recordWritten(LayerReport layer) {
    written.put(layer.layer().digest(), layer);
  }

  /** Remembers a step of stage {@code stageIndex} whose layer optimisation emptied. */
  public void recordOmitted(Platform platform, int stageIndex, LayerReport step) {
    omitted.computeIfAbsent(new StageOf(platform, stageIndex), k -> new ArrayList<>()).add(step);
  }

  /**
   * The size report of an image with {@code layers} built by the stages {@code stageIndexes} (the
   * final stage and those it starts FROM); layers not recorded count as base.
   */
  public SizeReport report(Platform platform, List<Descriptor> layers, List<Integer> stageIndexes) {
    List<LayerReport> out = new ArrayList<>();
    for (Descriptor d : layers) {
      LayerReport r = written.get(d.digest());
      out.add(r != null ? r : LayerReport.base(d));
    }
    List<LayerReport> none = new ArrayList<>();
    for (int i : stageIndexes) {
      none.addAll(omitted.getOrDefault(new StageOf(platform, i), List.of()));
    }
    return new SizeReport(platform, out, none);
  }

  /** The number of files a report counts in {@code entries} (not directories or markers). */
  public static long files(List<LayerEntry> entries) {
    return entries.stream().filter(LayerOptimizer::counts).count();
  }

  /** Bytes read to compare contents so far (each content once per build). */
  long hashedBytes() {
    return hashes.hashedBytes();
  }

  /**
   * The layers of one stage as they should be written, in order; one layer when {@code squash}.
   * {@code lower} is the stage's tree below its first new layer; the optimised layers are applied
   * to it. A layer that ends up with no entries is returned empty (the caller records no layer).
   */
  public List<Layer.Planned> optimizeStage(
      FileTree lower, List<Layer.Changes> layers, boolean squash) throws IOException {
    int n = layers.size();
    List<List<LayerEntry>> kept = new ArrayList<>(n);
    List<Map<String, Count>> stripped = new ArrayList<>(n);
    for (Layer.Changes l : layers) {
      Map<String, Count> s = new LinkedHashMap<>();
      kept.add(strip(l, s));
      stripped.add(s);
    }
    List<Count> wasted = new ArrayList<>(Collections.nCopies(n, Count.ZERO));
    if (options.dropWasted()) {
      Later later = new Later();
      for (int i = n - 1; i >= 0; i--) {
        List<LayerEntry> out = new ArrayList<>();
        Count w = Count.ZERO;
        for (LayerEntry e : kept.get(i)) {
          if (later.supersedes(e)) {
            w = counts(e) ? w.add(e.size()) : w;
          } else {
            out.add(e);
          }
        }
        wasted.set(i, w);
        kept.set(i, out);
        later.add(layers.get(i).entries());
      }
    }
    List<Layer.Planned> result = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      List<LayerEntry> original = layers.get(i).entries();
      Count[] dedup = {Count.ZERO};
      List<LayerEntry> entries =
          options.dedup() ? dedup(lower, original, kept.get(i), dedup) : kept.get(i);
      Count[] linked = {Count.ZERO};
      if (options.hardlinkDuplicates()) {
        entries = hardlink(entries, linked);
      }
      entries = complete(original, entries);
      lower.apply(entries);
      result.add(
          new Layer.Planned(
              entries, new LayerSavings(stripped.get(i), dedup[0], wasted.get(i), linked[0])));
    }
    if (squash && n > 1) {
      return List.of(squash(result));
    }
    return result;
  }

  /** Whether an entry counts as a file in reports (directories and markers do not). */
  private static boolean counts(LayerEntry e) {
    return e.type() != EntryType.DIRECTORY
        && e.type() != EntryType.WHITEOUT
        && e.type() != EntryType.OPAQUE;
  }

  private List<LayerEntry> strip(Layer.Changes l, Map<String, Count> stripped) {
    if (options.strip().isEmpty()) {
      return l.entries();
    }
    StripRules.Matcher m = options.strip().matcher(l.home(), l.isRun());
    for (StripRule r : options.strip().rules()) {
      stripped.put(r.name(), Count.ZERO); // rule order; unused rules dropped below
    }
    List<LayerEntry> out = new ArrayList<>(l.entries().size());
    for (LayerEntry e : l.entries()) {
      Optional<StripRule> r = e.isMarker() ? Optional.empty() : m.match(e.path());
      if (r.isPresent()) {
        Count c = stripped.getOrDefault(r.get().name(), Count.ZERO);
        stripped.put(r.get().name(), counts(e) ? c.add(e.size()) : c);
      } else {
        out.add(e);
      }
    }
    stripped.values().removeIf(c -> c.equals(Count.ZERO));
    return out;
  }

  /** What the later layers of a stage delete or replace. */
  private static final class Later {
    private final Set<String> gone =
        new HashSet<>(); // whiteouts and non-directories: path + subtree
    private final Set<String> emptied = new HashSet<>(); // opaque directories: subtree only
    private final Set<String> dirs = new HashSet<>(); // directories: replace a non-directory

    boolean supersedes(LayerEntry e) {
      String p = e.path();
      if (gone.contains(p) || (!e.isDirectory() && dirs.contains(p))) {
        return true;
      }
      for (String a = LayerPaths.parent(p); !a.isEmpty(); a = LayerPaths.parent(a)) {
        if (gone.contains(a) || emptied.contains(a)) {
          return true;
        }
      }
      return false;
    }

    void add(List<LayerEntry> layer) {
      for (LayerEntry e : layer) {
        switch (e.type()) {
          case OPAQUE -> emptied.add(e.path());
          case DIRECTORY -> dirs.add(e.path());
          default -> gone.add(e.path());
        }
      }
    }
  }

  private List<LayerEntry> dedup(
      FileTree lower, List<LayerEntry> original, List<LayerEntry> entries, Count[] saved)
      throws IOException {
    Set<String> deleting = new HashSet<>(); // whiteouts and opaques of this layer
    Set<String> linkTargets = new HashSet<>();
    for (LayerEntry e : original) {
      if (e.isMarker()) {
        deleting.add(e.path());
      } else if (e.type() == EntryType.HARDLINK) {
        linkTargets.add(e.linkTarget());
      }
    }
    List<LayerEntry> out = new ArrayList<>(entries.size());
    for (LayerEntry e : entries) {
      if (e.isMarker()
          || e.type() == EntryType.HARDLINK
          || linkTargets.contains(e.path())
          || underAny(e.path(), deleting)) {
        out.add(e);
        continue;
      }
      Optional<LayerEntry> below = lower.get(e.path());
      if (below.isPresent() && same(e, below.get())) {
        saved[0] = counts(e) ? saved[0].add(e.size()) : saved[0];
      } else {
        out.add(e);
      }
    }
    return out;
  }

  private static boolean underAny(String path, Set<String> roots) {
    if (roots.isEmpty()) {
      return false;
    }
    for (String a = path; !a.isEmpty(); a = LayerPaths.parent(a)) {
      if (roots.contains(a)) {
        return true;
      }
    }
    return false;
  }

  /** Same type, mode, owner, size, link target, xattrs, and for files the same bytes. */
  private boolean same(LayerEntry a, LayerEntry b) throws IOException {
    if (a.type() != b.type()
        || a.mode() != b.mode()
        || a.uid() != b.uid()
        || a.gid() != b.gid()
        || a.size() != b.size()
        || !Objects.equals(a.linkTarget(), b.linkTarget())
        || !a.xattrs().equals(b.xattrs())) {
      return false;
    }
    if (a.type() != EntryType.FILE || a.size() == 0 || a.content().equals(b.content())) {
      return true;
    }
    return Arrays.equals(hashes.of(a.content(), a.size()), hashes.of(b.content(), b.size()));
  }

  /** Identical files (bytes, mode, owner, xattrs) after the first become hardlinks to it. */
  private List<LayerEntry> hardlink(List<LayerEntry> entries, Count[] saved) throws IOException {
    Map<String, List<LayerEntry>> bySize = new HashMap<>();
    for (LayerEntry e : entries) {
      if (e.type() == EntryType.FILE && e.size() > 0) {
        bySize
            .computeIfAbsent(
                e.size() + "\0" + e.mode() + "\0" + e.uid() + "\0" + e.gid() + "\0" + e.xattrs(),
                k -> new ArrayList<>())
            .add(e);
      }
    }
    Map<String, String> linkTo = new HashMap<>();
    for (List<LayerEntry> group : bySize.values()) {
      if (group.size() < 2) {
        continue;
      }
      Map<String, String> firstByHash = new HashMap<>();
      for (LayerEntry e : group) {
        String h = HexFormat.of().formatHex(hashes.of(e.content(), e.size()));
        String first = firstByHash.putIfAbsent(h, e.path());
        if (first != null) {
          linkTo.put(e.path(), first);
          saved[0] = saved[0].add(e.size());
        }
      }
    }
    if (linkTo.isEmpty()) {
      return entries;
    }
    List<LayerEntry> out = new ArrayList<>(entries.size());
    for (LayerEntry e : entries) {
      String t = linkTo.get(e.path());
      out.add(
          t == null
              ? e
              : new LayerEntry(
                  e.path(),
                  EntryType.HARDLINK,
                  e.mode(),
                  e.uid(),
                  e.gid(),
                  0,
                  t,
                  null,
                  e.xattrs()));
    }
    return out;
  }

  /**
   * {@code kept} made writable on its own: a hardlink whose file was left out becomes a copy of
   * that file, and every kept entry's parent directories that the instruction declared come back
   * (else the tar writer would invent them as 0755 root:root).
   */
  static List<LayerEntry> complete(List<LayerEntry> original, List<LayerEntry> kept) {
    if (kept.isEmpty()) {
      return List.of();
    }
    Map<String, LayerEntry> orig = new HashMap<>();
    for (LayerEntry e : original) {
      if (!e.isMarker()) {
        orig.put(e.path(), e);
      }
    }
    Map<String, LayerEntry> byKey = new LinkedHashMap<>();
    Set<String> paths = new HashSet<>();
    for (LayerEntry e : kept) {
      byKey.put(e.key(), e);
      if (!e.isMarker()) {
        paths.add(e.path());
      }
    }
    for (LayerEntry e : kept) {
      if (e.type() == EntryType.HARDLINK && !resolves(e, byKey)) {
        LayerEntry root = e.linkRoot(orig::get);
        if (root != null && root.type() == EntryType.FILE) {
          byKey.put(e.key(), root.withPath(e.path()));
        }
      }
    }
    List<LayerEntry> parents = new ArrayList<>();
    for (LayerEntry e : byKey.values()) {
      String start = e.type() == EntryType.OPAQUE ? e.path() : LayerPaths.parent(e.path());
      for (String p = start; !p.isEmpty(); p = LayerPaths.parent(p)) {
        if (paths.contains(p)) {
          break;
        }
        LayerEntry o = orig.get(p);
        if (o != null && o.isDirectory()) {
          parents.add(o);
          paths.add(p);
        }
      }
    }
    List<LayerEntry> out = new ArrayList<>(parents);
    out.addAll(byKey.values());
    return out;
  }

  private static boolean resolves(LayerEntry link, Map<String, LayerEntry> byKey) {
    LayerEntry root = link.linkRoot(byKey::get);
    return root != null && root.type() == EntryType.FILE;
  }

  /**
   * The optimised layers as one: later layers win, whiteouts and opaque markers are kept (they may
   * hide files of the layers below the stage), a hardlink whose file a later layer replaced becomes
   * a copy of the file it pointed to.
   */
  // a hard link is kept as a link only while its target is still the very entry it pointed to
  @SuppressWarnings("ReferenceEquality")
  private static Layer.Planned squash(List<Layer.Planned> layers) {
    NavigableMap<String, LayerEntry> files = new TreeMap<>();
    NavigableMap<String, LayerEntry> markers = new TreeMap<>(); // whiteouts and opaques by path
    Map<String, LayerEntry> linkTarget = new HashMap<>(); // hardlink path -> its target entry
    Map<String, LayerEntry> linkRoot = new HashMap<>(); // hardlink path -> the file it shares
    LayerSavings savings = LayerSavings.NONE;
    for (Layer.Planned l : layers) {
      savings = savings.plus(l.savings());
      Map<String, LayerEntry> own = new HashMap<>();
      for (LayerEntry e : l.entries()) {
        if (e.type() == EntryType.WHITEOUT) {
          clear(files, e.path(), true);
          clear(markers, e.path(), true);
          markers.put(e.path(), e);
        } else if (e.type() == EntryType.OPAQUE) {
          clear(files, e.path(), false);
          clear(markers, e.path(), false);
          markers.put(e.path(), e);
        } else {
          own.put(e.path(), e);
        }
      }
      for (LayerEntry e : own.values()) {
        if (e.type() == EntryType.HARDLINK) {
          LayerEntry root = e.linkRoot(own::get);
          linkTarget.put(e.path(), own.get(e.linkTarget()));
          linkRoot.put(e.path(), root);
        }
      }
      for (LayerEntry e : l.entries()) {
        if (e.isMarker()) {
          continue;
        }
        if (!e.isDirectory()) {
          clear(files, e.path(), false);
          clear(markers, e.path(), false);
          LayerEntry m = markers.get(e.path());
          if (m != null && m.type() == EntryType.OPAQUE) {
            markers.remove(e.path());
          }
        }
        files.put(e.path(), e);
      }
    }
    List<LayerEntry> merged = new ArrayList<>(markers.values());
    for (LayerEntry e : files.values()) {
      if (e.type() == EntryType.HARDLINK && files.get(e.linkTarget()) != linkTarget.get(e.path())) {
        LayerEntry root = linkRoot.get(e.path());
        merged.add(root != null && root.type() == EntryType.FILE ? root.withPath(e.path()) : e);
      } else {
        merged.add(e);
      }
    }
    return new Layer.Planned(merged, savings);
  }

  /** Removes {@code path}'s subtree (and {@code path} itself when {@code self}). */
  private static void clear(NavigableMap<String, LayerEntry> map, String path, boolean self) {
    if (self) {
      map.remove(path);
    }
    map.subMap(path + "/", path + "/\uffff").clear();
  }
}
