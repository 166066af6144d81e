package dev.slimbuild.core.layer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The merged filesystem of a stack of layers, metadata only: file contents stay as the layers'
 * {@link ContentSource}s and are never loaded. Applying a layer honours OCI whiteouts: a whiteout
 * removes a path and its subtree, an opaque marker empties a directory of what lower layers put
 * there; both act only on lower layers, never on entries of their own layer.
 */
public final class FileTree {
  private static final int DEFAULT_DIR_MODE = 0755;

  private final Node root = new Node(null);

  /** Children ordered like tar entries. */
  private static NavigableMap<String, Node> newChildren() {
    return new TreeMap<>(LayerPaths.TAR_ORDER);
  }

  private static final class Node {
    LayerEntry entry; // null only for the root
    NavigableMap<String, Node> children; // non-null for directories

    Node(LayerEntry entry) {
      this.entry = entry;
      this.children = entry == null || entry.isDirectory() ? newChildren() : null;
    }
  }

  /**
   * Applies one layer on top of the tree: whiteouts first (they act on lower layers), then adds.
   */
  public FileTree apply(Collection<LayerEntry> layer) {
    for (LayerEntry e : layer) {
      if (e.type() == EntryType.WHITEOUT) {
        Node parent = find(LayerPaths.parent(e.path()));
        if (parent != null && parent.children != null) {
          parent.children.remove(LayerPaths.name(e.path()));
        }
      } else if (e.type() == EntryType.OPAQUE) {
        Node dir = find(e.path());
        if (dir != null && dir.children != null) {
          dir.children.clear();
        }
      }
    }
    for (LayerEntry e : layer) {
      if (!e.isMarker()) {
        put(e);
      }
    }
    return this;
  }

  private void put(LayerEntry e) {
    Node dir = root;
    String path = e.path();
    String[] segs = path.split("/");
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < segs.length - 1; i++) {
      if (i > 0) {
        prefix.append('/');
      }
      prefix.append(segs[i]);
      Node next = dir.children.get(segs[i]);
      if (next == null || next.children == null) {
        // a missing parent, or a non-directory in the way: like tar extraction, a directory wins
        next = new Node(LayerEntry.dir(prefix.toString(), DEFAULT_DIR_MODE, 0, 0));
        dir.children.put(segs[i], next);
      }
      dir = next;
    }
    String name = segs[segs.length - 1];
    Node existing = dir.children.get(name);
    if (existing != null && existing.children != null && e.isDirectory()) {
      existing.entry = e; // a directory over a directory keeps its contents
    } else {
      dir.children.put(name, new Node(e));
    }
  }

  private Node find(String path) {
    Node n = root;
    if (path.isEmpty()) {
      return n;
    }
    for (String s : path.split("/")) {
      if (n.children == null) {
        return null;
      }
      n = n.children.get(s);
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  /** The entry at {@code path} (normalised like {@link LayerPaths#normalize}), if present. */
  public Optional<LayerEntry> get(String path) {
    Node n = find(LayerPaths.normalizeOrRoot(path));
    return n == null || n.entry == null ? Optional.empty() : Optional.of(n.entry);
  }

  /**
   * The children of the directory {@code dirPath} ("" or "/" for the root), sorted; empty when it
   * is absent or not a directory.
   */
  public List<LayerEntry> list(String dirPath) {
    Node n = find(LayerPaths.normalizeOrRoot(dirPath));
    List<LayerEntry> out = new ArrayList<>();
    if (n != null && n.children != null) {
      for (Node c : n.children.values()) {
        out.add(c.entry);
      }
    }
    return out;
  }

  /**
   * {@code prefix} and everything below it in tar order (a directory before its contents); the
   * whole tree for "" or "/". Empty when {@code prefix} is absent.
   */
  public List<LayerEntry> walk(String prefix) {
    Node n = find(LayerPaths.normalizeOrRoot(prefix));
    List<LayerEntry> out = new ArrayList<>();
    if (n != null) {
      walk(n, out);
    }
    return out;
  }

  private static void walk(Node n, List<LayerEntry> out) {
    // iterative, so deep trees cannot overflow the stack
    ArrayList<Node> stack = new ArrayList<>();
    stack.add(n);
    while (!stack.isEmpty()) {
      Node cur = stack.remove(stack.size() - 1);
      if (cur.entry != null) {
        out.add(cur.entry);
      }
      if (cur.children != null) {
        List<Node> kids = new ArrayList<>(cur.children.values());
        for (int i = kids.size() - 1; i >= 0; i--) {
          stack.add(kids.get(i));
        }
      }
    }
  }

  /** Number of entries in the tree (the root not counted). */
  public int size() {
    return walk("").size();
  }
}
