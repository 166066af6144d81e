package dev.slimbuild.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HashingStreamsTest {
  // sha256("abc"), FIPS 180-2 appendix B.1
  private static final String ABC =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

  @Test
  void outputStreamHashesCountsAndPassesThrough() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    HashingOutputStream h = new HashingOutputStream(sink);
    h.write('a');
    h.write("bc".getBytes(StandardCharsets.US_ASCII), 0, 2);
    assertThat(h.hexDigest()).isEqualTo(ABC);
    assertThat(h.count()).isEqualTo(3);
    assertThat(sink.toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
    assertThatThrownBy(() -> h.write('d')).isInstanceOf(IOException.class);
  }

  @Test
  void inputStreamHashesWhatIsRead() throws IOException {
    HashingInputStream h =
        new HashingInputStream(new ByteArrayInputStream("abc".getBytes(StandardCharsets.US_ASCII)));
    assertThat(h.readAllBytes()).hasSize(3);
    assertThat(h.hexDigest()).isEqualTo(ABC);
    assertThat(h.count()).isEqualTo(3);
  }
}
