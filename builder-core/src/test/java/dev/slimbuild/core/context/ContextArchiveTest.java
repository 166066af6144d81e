package dev.slimbuild.core.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.SlimbuildException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextArchiveTest {
  @TempDir Path tmp;

  /** A tar written entry by entry, names taken literally ("..", absolute names kept). */
  private static final class Tar {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    Tar() {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    Tar file(String name, int mode, String text) throws IOException {
      byte[] b = text.getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry e = new TarArchiveEntry(name, true);
      e.setMode(0100000 | mode);
      e.setSize(b.length);
      tar.putArchiveEntry(e);
      tar.write(b);
      tar.closeArchiveEntry();
      return this;
    }

    Tar dir(String name, int mode) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
      e.setMode(040000 | mode);
      tar.putArchiveEntry(e);
      tar.closeArchiveEntry();
      return this;
    }

    Tar link(String name, byte type, String target) throws IOException {
      TarArchiveEntry e = new TarArchiveEntry(name, type, true);
      e.setLinkName(target);
      tar.putArchiveEntry(e);
      tar.closeArchiveEntry();
      return this;
    }

    byte[] bytes() throws IOException {
      tar.finish();
      return bytes.toByteArray();
    }
  }

  private Path extract(byte[] archive) throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("ctx"));
    ContextArchive.extract(new ByteArrayInputStream(archive), dir, "test.tar");
    return dir;
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void unpacksFilesDirectoriesLinksAndModes() throws IOException {
    byte[] tar =
        new Tar()
            .dir("./", 0755)
            .file("./Dockerfile", 0644, "FROM scratch\n")
            .dir("bin", 0750)
            .file("bin/run.sh", 0755, "#!/bin/sh\n")
            .link("bin/link", TarConstants.LF_SYMLINK, "run.sh")
            .link("bin/hard", TarConstants.LF_LINK, "bin/run.sh")
            .file("/abs.txt", 0600, "absolute names are taken inside\n")
            .bytes();
    Path dir = extract(tar);
    assertThat(Files.readString(dir.resolve("Dockerfile"))).isEqualTo("FROM scratch\n");
    assertThat(mode(dir.resolve("bin"))).isEqualTo("rwxr-x---");
    assertThat(mode(dir.resolve("bin/run.sh"))).isEqualTo("rwxr-xr-x");
    assertThat(Files.readSymbolicLink(dir.resolve("bin/link")).toString()).isEqualTo("run.sh");
    assertThat(Files.readString(dir.resolve("bin/hard"))).isEqualTo("#!/bin/sh\n");
    assertThat(Files.readString(dir.resolve("abs.txt"))).startsWith("absolute");
    assertThat(mode(dir.resolve("abs.txt"))).isEqualTo("rw-------");
  }

  @Test
  void readsGzip() throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(new Tar().file("a.txt", 0644, "alpha\n").bytes());
    }
    assertThat(Files.readString(extract(gz.toByteArray()).resolve("a.txt"))).isEqualTo("alpha\n");
  }

  @Test
  void refusesEveryWayOut() throws IOException {
    Path outside = Files.createDirectory(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "host file\n");
    Object[][] cases = {
      {new Tar().file("../escape.txt", 0644, "x").bytes(), "'../escape.txt' leads out"},
      {new Tar().file("a/../../escape.txt", 0644, "x").bytes(), "leads out of the context"},
      {
        new Tar()
            .link("out", TarConstants.LF_SYMLINK, outside.toString())
            .file("out/planted", 0644, "x")
            .bytes(),
        "goes through the symlink 'out'"
      },
      {
        new Tar()
            .link("out", TarConstants.LF_SYMLINK, outside.toString())
            .link("copy", TarConstants.LF_LINK, "out/secret")
            .bytes(),
        "goes through the symlink 'out'"
      },
      {
        new Tar()
            .link("s", TarConstants.LF_SYMLINK, outside.resolve("secret").toString())
            .link("copy", TarConstants.LF_LINK, "s")
            .bytes(),
        "which is no earlier file"
      },
      {
        new Tar().link("copy", TarConstants.LF_LINK, "../outside/secret").bytes(),
        "leads out of the context"
      },
      {new Tar().file("d/x", 0644, "x").file("d", 0644, "y").bytes(), "would replace a directory"},
    };
    for (Object[] c : cases) {
      Path dir = Files.createTempDirectory(tmp, "case");
      assertThatThrownBy(
              () ->
                  ContextArchive.extract(new ByteArrayInputStream((byte[]) c[0]), dir, "test.tar"))
          .isInstanceOf(SlimbuildException.class)
          .hasMessageStartingWith("test.tar: entry ")
          .hasMessageContaining((String) c[1]);
    }
    assertThat(outside).isDirectoryContaining(p -> p.getFileName().toString().equals("secret"));
    try (var files = Files.list(outside)) {
      assertThat(files.count()).isEqualTo(1); // nothing was planted
    }
    assertThat(tmp.resolve("escape.txt")).doesNotExist();
  }

  @Test
  void aFileReplacesAnEarlierSymlinkInsteadOfWritingThroughIt() throws IOException {
    Path outside = Files.writeString(tmp.resolve("target.txt"), "keep\n");
    Path dir =
        extract(
            new Tar()
                .link("f", TarConstants.LF_SYMLINK, outside.toString())
                .file("f", 0644, "new\n")
                .bytes());
    assertThat(Files.isSymbolicLink(dir.resolve("f"))).isFalse();
    assertThat(Files.readString(dir.resolve("f"))).isEqualTo("new\n");
    assertThat(Files.readString(outside)).isEqualTo("keep\n");
  }

  @Test
  void garbageIsAClearError() throws IOException {
    assertThatThrownBy(() -> extract(new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageStartingWith("test.tar: not a readable tar archive");
    byte[] whole = new Tar().file("big.txt", 0644, "x".repeat(4000)).bytes();
    byte[] cut = Arrays.copyOf(whole, 1536); // inside the entry's data
    Path dir = Files.createDirectory(tmp.resolve("cut"));
    assertThatThrownBy(() -> ContextArchive.extract(new ByteArrayInputStream(cut), dir, "test.tar"))
        .isInstanceOf(SlimbuildException.class)
        .hasMessageStartingWith("test.tar: not a readable tar archive");
  }
}
