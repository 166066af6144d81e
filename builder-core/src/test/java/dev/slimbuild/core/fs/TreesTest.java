package dev.slimbuild.core.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Trees#delete}: an empty directory (no pool), and a tree with read-only directories. */
class TreesTest {
  @TempDir Path dir;

  @Test
  void deletesAnEmptyDirectory() throws Exception {
    Path empty = Files.createDirectories(dir.resolve("staging"));
    Trees.delete(empty);
    assertThat(empty).doesNotExist();
    Trees.delete(empty); // missing is fine
  }

  @Test
  void deletesATreeWithReadOnlyDirectories() throws Exception {
    Path root = dir.resolve("root");
    for (String d : new String[] {"a/b/c", "a/d", "e"}) {
      Files.createDirectories(root.resolve(d));
      Files.writeString(root.resolve(d).resolve("f"), d);
    }
    Files.createDirectories(root.resolve("e/empty"));
    Files.setPosixFilePermissions(
        root.resolve("a/b"), PosixFilePermissions.fromString("r-xr-xr-x"));
    Files.setPosixFilePermissions(
        root.resolve("e/empty"), PosixFilePermissions.fromString("r-x------"));
    Trees.delete(root);
    assertThat(root).doesNotExist();
  }
}
