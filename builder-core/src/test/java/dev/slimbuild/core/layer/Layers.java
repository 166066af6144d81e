package dev.slimbuild.core.layer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small fixture layers shared by the layer tests. */
final class Layers {
  static final long EPOCH = 1_700_000_000L;

  private Layers() {}

  static ContentSource text(String s) {
    return ContentSource.ofBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  static LayerEntry textFile(String path, int mode, String s) {
    return LayerEntry.file(path, mode, 0, 0, s.getBytes(StandardCharsets.UTF_8).length, text(s));
  }

  /** One of everything: files, dirs, links, whiteouts, an xattr, a long name, a big gid. */
  static List<LayerEntry> sample() {
    List<LayerEntry> es = new ArrayList<>();
    es.add(textFile("etc/passwd", 0644, "root:x:0:0::/root:/bin/sh\n"));
    es.add(textFile("usr/bin/app", 04755, "#!/bin/sh\necho hi\n"));
    es.add(textFile("usr/lib/" + "long-name-".repeat(12) + "end", 0644, "long"));
    es.add(LayerEntry.dir("home/user", 0700, 1000, 1000));
    es.add(LayerEntry.dir("tmp", 01777, 0, 0));
    es.add(LayerEntry.symlink("bin", "usr/bin", 0, 0));
    es.add(LayerEntry.hardlink("usr/bin/app-link", "usr/bin/app", 04755, 0, 0));
    es.add(LayerEntry.whiteout("var/cache/gone"));
    es.add(LayerEntry.opaque("opt"));
    es.add(
        LayerEntry.file("srv/data", 0640, 2000, 3_000_000, 3, text("abc"))
            .withXattrs(Map.of("user.origin", "test")));
    return es;
  }
}
