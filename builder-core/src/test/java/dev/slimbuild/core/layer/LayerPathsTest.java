package dev.slimbuild.core.layer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerPathsTest {
  /** The paths in tar order, the awkward cases among them. */
  private static final List<String> ORDERED =
      List.of(
          "a",
          "a/b",
          "a/b/c",
          "a/b-c",
          "a/bc",
          "a-b",
          "a.b",
          "a0",
          "aa",
          "b",
          "z",
          "\u00e9", // é: two UTF-8 bytes, above every ASCII byte
          "\u00e9/x",
          "\u00e9t\u00e9",
          "\u4e2d", // three bytes
          "\ue000", // the first code point above the surrogates, still three bytes
          "\uffff",
          "\ud83d\ude00", // U+1F600 as a surrogate pair: four bytes, so after U+E000..U+FFFF
          "\ud83d\ude00/a",
          "\ud83d\ude01");

  /** The order's definition: UTF-8 bytes, unsigned, with '/' as 0 (below every other byte). */
  private static int byDefinition(String a, String b) {
    return Integer.signum(Arrays.compareUnsigned(utf8(a), utf8(b)));
  }

  private static byte[] utf8(String path) {
    byte[] b = path.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i++) {
      if (b[i] == '/') {
        b[i] = 0;
      }
    }
    return b;
  }

  @Test
  void tarOrderPinsTheAwkwardCases() {
    List<String> shuffled = new ArrayList<>(ORDERED);
    Collections.shuffle(shuffled, new Random(7));
    shuffled.sort(LayerPaths.TAR_ORDER);
    assertThat(shuffled).containsExactlyElementsOf(ORDERED);
  }

  @Test
  void tarOrderIsTheOrderOfUtf8BytesWithSlashLowest() {
    for (String a : ORDERED) {
      for (String b : ORDERED) {
        assertThat(Integer.signum(LayerPaths.TAR_ORDER.compare(a, b)))
            .as("%s vs %s", a, b)
            .isEqualTo(byDefinition(a, b));
      }
    }
  }

  @Test
  void aDirectoryIsFollowedByItsContentsBeforeItsSiblings() {
    // plain UTF-16 order would put "a-b" and "a.b" ('-' and '.' are below '/') before "a/b"
    assertThat(LayerPaths.TAR_ORDER.compare("a/b", "a-b")).isNegative();
    assertThat(LayerPaths.TAR_ORDER.compare("a/b", "a.b")).isNegative();
    assertThat("a/b".compareTo("a.b")).isPositive();
  }

  @Test
  void theFileTreeTheTarWriterAndTheirListingsAgree() {
    List<LayerEntry> entries = new ArrayList<>();
    for (String p : ORDERED) {
      boolean dir = ORDERED.stream().anyMatch(q -> q.startsWith(p + "/"));
      entries.add(dir ? LayerEntry.dir(p, 0755, 0, 0) : Layers.textFile(p, 0644, p));
    }
    Collections.shuffle(entries, new Random(11));
    List<String> planned = TarLayerWriter.plan(entries).stream().map(LayerEntry::path).toList();
    assertThat(planned).containsExactlyElementsOf(ORDERED);
    List<String> walked =
        new FileTree().apply(entries).walk("").stream().map(LayerEntry::path).toList();
    assertThat(walked).containsExactlyElementsOf(ORDERED);
  }
}
