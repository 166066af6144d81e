package dev.slimbuild.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CompressionTest {
  @Test
  void parsesCliNamesCaseInsensitively() {
    assertThat(Compression.parse("zstd")).isEqualTo(Compression.ZSTD);
    assertThat(Compression.parse("GZIP")).isEqualTo(Compression.GZIP);
    assertThat(Compression.parse(" none ")).isEqualTo(Compression.NONE);
  }

  @Test
  void rejectsUnknownNamesListingTheChoices() {
    assertThatThrownBy(() -> Compression.parse("brotli"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown compression 'brotli': expected one of zstd, gzip, none");
    assertThatThrownBy(() -> Compression.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mediaTypesAndDefaults() {
    assertThat(Compression.ZSTD.mediaType())
        .isEqualTo("application/vnd.oci.image.layer.v1.tar+zstd");
    assertThat(Compression.GZIP.mediaType())
        .isEqualTo("application/vnd.oci.image.layer.v1.tar+gzip");
    assertThat(Compression.NONE.mediaType()).isEqualTo("application/vnd.oci.image.layer.v1.tar");
    assertThat(Compression.ZSTD.defaultLevel()).isEqualTo(3);
    assertThat(Compression.GZIP.defaultLevel()).isEqualTo(6);
    for (Compression c : Compression.values()) {
      assertThat(Compression.fromMediaType(c.mediaType())).isEqualTo(c);
      assertThat(c.isValidLevel(c.defaultLevel())).isTrue();
    }
    assertThat(Compression.fromMediaType("application/vnd.docker.image.rootfs.diff.tar.gzip"))
        .isEqualTo(Compression.GZIP);
    assertThatThrownBy(() -> Compression.fromMediaType("application/json"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void levelRanges() {
    assertThat(Compression.ZSTD.isValidLevel(1)).isTrue();
    assertThat(Compression.ZSTD.isValidLevel(22)).isTrue();
    assertThat(Compression.ZSTD.isValidLevel(23)).isFalse();
    assertThat(Compression.GZIP.isValidLevel(0)).isFalse();
    assertThat(Compression.GZIP.isValidLevel(9)).isTrue();
    assertThat(Compression.NONE.isValidLevel(1)).isFalse();
    assertThatThrownBy(() -> Compression.GZIP.checkLevel(10))
        .hasMessage("invalid gzip compression level 10: expected 1..9");
    assertThatThrownBy(() -> Compression.NONE.checkLevel(3))
        .hasMessage("invalid none compression level 3: expected 0");
  }
}
