package dev.slimbuild.core.layer;

import static dev.slimbuild.core.layer.Layers.textFile;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FileTreeTest {
  private static List<String> paths(List<LayerEntry> es) {
    return es.stream().map(LayerEntry::path).collect(Collectors.toList());
  }

  private static FileTree base() {
    return new FileTree()
        .apply(
            List.of(
                LayerEntry.dir("etc", 0755, 0, 0),
                textFile("etc/passwd", 0644, "root"),
                textFile("etc/ssl/cert.pem", 0644, "cert"),
                textFile("var/cache/a", 0644, "a"),
                textFile("var/cache/b", 0644, "b"),
                LayerEntry.symlink("bin", "usr/bin", 0, 0)));
  }

  @Test
  void missingParentsAreImplicitDirectoriesAndListingIsSorted() {
    FileTree t = base();
    assertThat(t.get("/etc/ssl").orElseThrow().type()).isEqualTo(EntryType.DIRECTORY);
    assertThat(t.get("etc/ssl").orElseThrow().mode()).isEqualTo(0755);
    assertThat(paths(t.list("/"))).containsExactly("bin", "etc", "var");
    assertThat(paths(t.list("etc"))).containsExactly("etc/passwd", "etc/ssl");
    assertThat(paths(t.walk("var")))
        .containsExactly("var", "var/cache", "var/cache/a", "var/cache/b");
    assertThat(t.get("nope")).isEmpty();
    assertThat(t.list("etc/passwd")).isEmpty();
  }

  @Test
  void whiteoutRemovesASubtreeAndOpaqueEmptiesADirectory() {
    FileTree t =
        base()
            .apply(
                List.of(
                    LayerEntry.whiteout("etc/ssl"),
                    LayerEntry.opaque("var/cache"),
                    textFile("var/cache/new", 0644, "n")));
    assertThat(t.get("etc/ssl")).isEmpty();
    assertThat(t.get("etc/ssl/cert.pem")).isEmpty();
    assertThat(t.get("etc/passwd")).isPresent();
    assertThat(paths(t.list("var/cache"))).containsExactly("var/cache/new");
  }

  @Test
  void whiteoutDoesNotHideAnEntryOfItsOwnLayer() {
    FileTree t = base().apply(List.of(LayerEntry.whiteout("bin"), textFile("bin", 0755, "x")));
    assertThat(t.get("bin").orElseThrow().type()).isEqualTo(EntryType.FILE);
  }

  @Test
  void directoryOverDirectoryKeepsContentsFileOverDirectoryDropsThem() {
    FileTree t = base().apply(List.of(LayerEntry.dir("etc", 0700, 5, 5)));
    assertThat(t.get("etc").orElseThrow().mode()).isEqualTo(0700);
    assertThat(t.get("etc/passwd")).isPresent();
    t.apply(List.of(textFile("etc", 0644, "now a file")));
    assertThat(t.get("etc/passwd")).isEmpty();
    assertThat(t.get("etc").orElseThrow().type()).isEqualTo(EntryType.FILE);
  }

  @Test
  void walkOfTheRootIsInTarOrder() {
    FileTree t = base();
    List<LayerEntry> all = t.walk("");
    assertThat(paths(all)).isEqualTo(paths(TarLayerWriter.plan(all)));
    assertThat(t.size()).isEqualTo(all.size());
  }
}
