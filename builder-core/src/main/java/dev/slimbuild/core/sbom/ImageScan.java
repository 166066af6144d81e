package dev.slimbuild.core.sbom;

import dev.slimbuild.core.layer.LayerPaths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The layers' scans stacked as the final image has them (OCI image-spec layer.md): each layer's
 * whiteouts remove a lower path and everything under it, its opaque markers empty a directory of
 * what lower layers put there (both act on lower layers only), then its entries replace what lower
 * layers had at their paths (a non-directory also replaces a lower directory's subtree). A package
 * database deleted or replaced by a later layer is thus read as the image has it.
 */
final class ImageScan {
  private final TreeMap<String, LayerScan.Item> merged = new TreeMap<>();
  private final List<String> warnings = new ArrayList<>();

  /** Applies the next layer up. */
  void apply(LayerScan layer) {
    for (String w : layer.whiteouts) {
      merged.remove(w);
      below(w).clear();
    }
    for (String o : layer.opaques) {
      below(o).clear();
    }
    for (Map.Entry<String, LayerScan.Item> e : layer.items.entrySet()) {
      String path = e.getKey();
      if (e.getValue().dir()) {
        LayerScan.Item lower = merged.get(path);
        if (lower != null && !lower.dir()) {
          merged.remove(path); // a directory replaces a file; its lower children stay
        }
        continue;
      }
      below(path).clear();
      merged.put(path, e.getValue());
    }
    warnings.addAll(layer.warnings);
  }

  /** The entries strictly under {@code dir} ('0' follows '/'). */
  private Map<String, LayerScan.Item> below(String dir) {
    return merged.subMap(dir + "/", dir + "0");
  }

  /** The packages of the final image, unsorted. */
  List<SbomPackage> packages() {
    OsRelease os = os();
    List<SbomPackage> out = new ArrayList<>();
    List<Npm.LockEntry> locked = new ArrayList<>();
    Set<String> installed = new HashSet<>();
    for (Map.Entry<String, LayerScan.Item> e : merged.entrySet()) {
      LayerScan.Item item = e.getValue();
      if (item.packages() != null) {
        for (SbomPackage p : item.packages()) {
          out.add(p);
          installed.add(p.location() + "\n" + p.purl());
        }
      }
      if (item.locked() != null) {
        locked.addAll(item.locked());
      }
      if (item.database() != null) {
        String path = e.getKey();
        String text = new String(item.database(), StandardCharsets.UTF_8);
        try {
          out.addAll(
              path.equals(Apk.INSTALLED)
                  ? Apk.parse(text, path, item.layer(), os)
                  : Dpkg.parse(text, path, item.layer(), os));
        } catch (RuntimeException ex) {
          warnings.add("/" + path + ": not read (" + ex.getMessage() + ")");
        }
      }
    }
    for (Npm.LockEntry l : locked) {
      if (installed.add(l.installedAt() + "\n" + l.pkg().purl())) {
        out.add(l.pkg());
      }
    }
    return out;
  }

  /** etc/os-release, following a symlink to usr/lib/os-release; else usr/lib/os-release. */
  OsRelease os() {
    String path = "etc/os-release";
    for (int hops = 0; hops < 8; hops++) {
      LayerScan.Item item = merged.get(path);
      if (item == null || item.symlink() == null) {
        break;
      }
      String target = item.symlink();
      String resolved = target.startsWith("/") ? target : LayerPaths.parent(path) + "/" + target;
      try {
        path = LayerPaths.normalizeOrRoot(resolved);
      } catch (IllegalArgumentException ex) {
        break;
      }
    }
    LayerScan.Item item = merged.get(path);
    byte[] b =
        item != null && item.osRelease() != null
            ? item.osRelease()
            : merged.containsKey("usr/lib/os-release")
                ? merged.get("usr/lib/os-release").osRelease()
                : null;
    return b == null ? OsRelease.UNKNOWN : OsRelease.parse(new String(b, StandardCharsets.UTF_8));
  }

  /** The regular files of the final image that came from a layer the build added. */
  List<SbomFile> added() {
    List<SbomFile> out = new ArrayList<>();
    for (LayerScan.Item item : merged.values()) {
      if (item.file() != null) {
        out.add(item.file());
      }
    }
    return out;
  }

  List<String> warnings() {
    return warnings;
  }
}
