package dev.slimbuild.core.layer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerEntryTest {
  @Test
  void factoriesNormalisePaths() {
    assertThat(LayerEntry.dir("/usr//local/./bin/", 0755, 0, 0).path()).isEqualTo("usr/local/bin");
    assertThat(LayerEntry.hardlink("/a/b", "./a/../c", 0644, 0, 0).linkTarget()).isEqualTo("c");
  }

  @Test
  void constructorRefusesUnnormalisedPaths() {
    for (String bad : new String[] {"", "/a", "a/", "a//b", "a/./b", "a/../b", ".."}) {
      assertThatThrownBy(
              () -> new LayerEntry(bad, EntryType.DIRECTORY, 0755, 0, 0, 0, null, null, null))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> LayerEntry.dir("../etc", 0755, 0, 0))
        .hasMessageContaining("escapes the root");
  }

  @Test
  void validatesModeSizeLinksAndReservedNames() {
    assertThatThrownBy(() -> LayerEntry.dir("a", 040755, 0, 0)).hasMessageContaining("07777");
    assertThatThrownBy(() -> LayerEntry.file("a", 0644, 0, 0, -1, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LayerEntry.file("a", 0644, 0, 0, 5, null))
        .hasMessageContaining("no content");
    assertThatThrownBy(() -> LayerEntry.symlink("a", "", 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LayerEntry.file("d/.wh.x", 0644, 0, 0, 0, null))
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> LayerEntry.hardlink("a", "a", 0644, 0, 0))
        .hasMessageContaining("itself");
    assertThatThrownBy(() -> LayerEntry.dir("a", 0755, -1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tarNames() {
    assertThat(LayerEntry.dir("a/b", 0755, 0, 0).tarName()).isEqualTo("a/b/");
    assertThat(LayerEntry.whiteout("a/b").tarName()).isEqualTo("a/.wh.b");
    assertThat(LayerEntry.whiteout("top").tarName()).isEqualTo(".wh.top");
    assertThat(LayerEntry.opaque("a/b").tarName()).isEqualTo("a/b/.wh..wh..opq");
    assertThat(LayerEntry.symlink("l", "/abs/target", 0, 0).tarName()).isEqualTo("l");
  }

  @Test
  void xattrsAreCopiedAndSorted() {
    LayerEntry e = LayerEntry.dir("a", 0755, 0, 0).withXattrs(Map.of("user.b", "2", "user.a", "1"));
    assertThat(e.xattrs().keySet()).containsExactly("user.a", "user.b");
    assertThatThrownBy(() -> e.xattrs().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void linkRootFollowsAChainAndGivesUpOnAMissingTargetACycleOrTooLongAChain() {
    Map<String, LayerEntry> byPath = new HashMap<>();
    LayerEntry file =
        LayerEntry.file("f", 0644, 0, 0, 1, () -> new ByteArrayInputStream(new byte[1]));
    byPath.put("f", file);
    byPath.put("a", LayerEntry.hardlink("a", "f", 0644, 0, 0));
    byPath.put("b", LayerEntry.hardlink("b", "a", 0644, 0, 0));
    assertThat(byPath.get("b").linkRoot(byPath::get)).isSameAs(file);
    assertThat(file.linkRoot(byPath::get)).isSameAs(file);
    assertThat(LayerEntry.hardlink("m", "missing", 0644, 0, 0).linkRoot(byPath::get)).isNull();
    byPath.put("x", LayerEntry.hardlink("x", "y", 0644, 0, 0));
    byPath.put("y", LayerEntry.hardlink("y", "x", 0644, 0, 0));
    assertThat(byPath.get("x").linkRoot(byPath::get)).isNull(); // a cycle ends at the limit
    // a chain of exactly MAX_LINK_DEPTH links resolves; one more does not
    String prev = "f";
    for (int i = 1; i <= LayerEntry.MAX_LINK_DEPTH + 1; i++) {
      byPath.put("l" + i, LayerEntry.hardlink("l" + i, prev, 0644, 0, 0));
      prev = "l" + i;
    }
    assertThat(byPath.get("l" + LayerEntry.MAX_LINK_DEPTH).linkRoot(byPath::get)).isSameAs(file);
    assertThat(byPath.get("l" + (LayerEntry.MAX_LINK_DEPTH + 1)).linkRoot(byPath::get)).isNull();
  }
}
