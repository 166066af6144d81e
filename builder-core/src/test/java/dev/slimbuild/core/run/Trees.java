package dev.slimbuild.core.run;

import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.FileTree;
import dev.slimbuild.core.layer.LayerEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A stage tree with every entry type and the odd modes, whose contents can be locked. */
final class Trees {
  /** Bytes that count their opens and refuse to open once locked. */
  static final class GuardedSource implements ContentSource {
    private final byte[] bytes;
    boolean locked;
    int opens;

    GuardedSource(String text) {
      this.bytes = text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public InputStream open() throws IOException {
      opens++;
      if (locked) {
        throw new IOException("content read after materialising");
      }
      return new ByteArrayInputStream(bytes);
    }
  }

  final Map<String, GuardedSource> sources = new LinkedHashMap<>();
  final List<LayerEntry> entries = new ArrayList<>();

  private void file(String path, int mode, int uid, int gid, String text) {
    GuardedSource s = new GuardedSource(text);
    sources.put(path, s);
    entries.add(
        LayerEntry.file(path, mode, uid, gid, text.getBytes(StandardCharsets.UTF_8).length, s));
  }

  /** The stage tree; {@code srcDir} holds the one file given as a path on disk. */
  static Trees stage(Path srcDir) throws IOException {
    Trees t = new Trees();
    t.entries.add(LayerEntry.dir("etc", 0755, 0, 0));
    t.file("etc/passwd", 0644, 0, 0, "root:x:0:0\n");
    t.file("etc/group", 0644, 0, 0, "root:x:0:\n");
    t.file("etc/shadow", 0640, 0, 42, "secret");
    t.file("etc/hostname", 0644, 0, 0, "box\n");
    t.file("etc/hosts", 0644, 0, 0, "127.0.0.1 localhost\n");
    t.file("etc/motd", 0644, 0, 0, "hello");
    t.entries.add(LayerEntry.dir("ro", 0555, 0, 0));
    t.file("ro/inside", 0444, 0, 0, "ro");
    t.entries.add(LayerEntry.dir("usr/bin", 0755, 0, 0));
    Path su = Files.writeString(srcDir.resolve("su"), "su-binary");
    t.entries.add(LayerEntry.file("usr/bin/su", 04755, 0, 0, 9, ContentSource.ofTimedPath(su)));
    t.file("usr/bin/a", 0755, 0, 0, "aaaa");
    t.entries.add(LayerEntry.hardlink("usr/bin/b", "usr/bin/a", 0755, 0, 0));
    t.entries.add(LayerEntry.symlink("bin", "usr/bin", 0, 0));
    t.entries.add(LayerEntry.dir("tmp", 01777, 0, 0));
    t.entries.add(LayerEntry.dir("home/user", 0700, 1000, 1000));
    t.file("home/user/.profile", 0644, 1000, 1000, "export A=1\n");
    t.file("var/lib/x/db", 0600, 0, 0, "db");
    t.file("opt/app/run", 0755, 0, 0, "run");
    t.file("srv/data", 0644, 0, 0, "data");
    t.file("recreate/old", 0644, 0, 0, "old");
    t.file("usr/share/doc/readme", 0644, 0, 0, "readme");
    return t;
  }

  FileTree tree() {
    return new FileTree().apply(entries);
  }

  /** One line per entry: type, tar name, mode, owner, link target or size. */
  static String describe(LayerEntry e) {
    StringBuilder b =
        new StringBuilder()
            .append(e.type())
            .append(' ')
            .append(e.tarName())
            .append(' ')
            .append(Integer.toOctalString(e.mode()))
            .append(' ')
            .append(e.uid())
            .append(':')
            .append(e.gid());
    if (e.linkTarget() != null) {
      b.append(" -> ").append(e.linkTarget());
    }
    if (e.type() == EntryType.FILE) {
      b.append(" size=").append(e.size());
    }
    return b.toString();
  }

  private Trees() {}
}
