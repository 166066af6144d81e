package dev.slimbuild.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobStoreTest {
  @TempDir Path dir;

  @Test
  void storesBytesUnderTheirDigest() throws IOException {
    BlobStore s = new BlobStore(dir);
    byte[] b = "hello".getBytes(StandardCharsets.UTF_8);
    Descriptor info = s.putBytes(b, "a/b");
    assertThat(info.digest()).isEqualTo(Digest.sha256Of(b));
    assertThat(info.size()).isEqualTo(5);
    assertThat(s.path(info.digest()))
        .isEqualTo(dir.resolve("blobs/sha256/" + info.digest().hex()))
        .hasBinaryContent(b);
    assertThat(s.has(info.digest())).isTrue();
    try (InputStream in = s.open(info.digest())) {
      assertThat(in.readAllBytes()).isEqualTo(b);
    }
    Digest missing = Digest.sha256Of("nope");
    assertThat(s.has(missing)).isFalse();
    assertThatThrownBy(() -> s.open(missing))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void writerStreamsAndVerifies() throws IOException {
    BlobStore s = new BlobStore(dir);
    Descriptor info;
    try (BlobWriter w = s.newWriter()) {
      for (int i = 0; i < 1000; i++) {
        w.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
      }
      long size = w.size();
      info = Descriptor.of("a/b", w.commit(), size);
    }
    assertThat(s.verify(info)).isNull();
    assertThat(Files.size(s.path(info.digest()))).isEqualTo(info.size());
    assertThat(ingestFiles()).isEmpty();

    Digest wrong = Digest.sha256Of("other");
    try (BlobWriter w = s.newWriter()) {
      w.write(1);
      assertThatThrownBy(() -> w.commit(wrong))
          .isInstanceOf(DigestMismatchException.class)
          .hasMessageContaining("expected " + wrong);
    }
    assertThat(s.has(wrong)).isFalse();
    assertThat(ingestFiles()).isEmpty();
  }

  @Test
  void closingWithoutCommitLeavesNothing() throws IOException {
    BlobStore s = new BlobStore(dir);
    try (BlobWriter w = s.newWriter()) {
      w.write(new byte[] {1, 2, 3});
    }
    assertThat(ingestFiles()).isEmpty();
    assertThat(Files.exists(dir.resolve("blobs"))).isFalse();
  }

  @Test
  void verifyReportsCorruptionAndSizeMismatch() throws IOException {
    BlobStore s = new BlobStore(dir);
    Descriptor info = s.putBytes(new byte[] {1, 2, 3}, "a/b");
    assertThat(s.verify(Descriptor.of("a/b", info.digest(), 4))).contains("3 bytes");
    Files.write(s.path(info.digest()), new byte[] {9});
    assertThat(s.verify(info)).contains("has content with digest");
  }

  @Test
  void readDocumentReadsOnceAndRefusesWhatVerifyRefuses() throws IOException {
    BlobStore s = new BlobStore(dir);
    Descriptor info = s.putBytes(new byte[] {1, 2, 3}, "a/b");
    assertThat(s.readDocument(info)).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> s.readDocument(Descriptor.of("a/b", info.digest(), 4)))
        .isInstanceOf(BlobStore.BadBlob.class)
        .hasMessageContaining("3 bytes");
    assertThatThrownBy(() -> s.readDocument(Descriptor.of("a/b", info.digest(), 2)))
        .isInstanceOf(BlobStore.BadBlob.class)
        .hasMessageContaining("larger than");
    assertThatThrownBy(
            () -> s.readDocument(Descriptor.of("a/b", info.digest(), BlobStore.MAX_DOCUMENT + 1)))
        .isInstanceOf(BlobStore.BadBlob.class)
        .hasMessageContaining("too large");
    Files.write(s.path(info.digest()), new byte[] {9, 9, 9});
    assertThatThrownBy(() -> s.readDocument(info))
        .isInstanceOf(BlobStore.BadBlob.class)
        .hasMessageContaining("has content with digest");
    Files.delete(s.path(info.digest()));
    assertThatThrownBy(() -> s.readDocument(info))
        .isInstanceOf(BlobStore.BadBlob.class)
        .hasMessageContaining("is missing");
  }

  @Test
  void concurrentWritersOfTheSameBlobAgree() throws Exception {
    BlobStore s = new BlobStore(dir);
    byte[] content = new byte[256 * 1024];
    new Random(7).nextBytes(content);
    ExecutorService ex = Executors.newFixedThreadPool(4);
    try {
      List<Future<Digest>> fs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        fs.add(
            ex.submit(
                () -> {
                  try (BlobWriter w = s.newWriter()) {
                    for (int off = 0; off < content.length; off += 4096) {
                      w.write(content, off, 4096);
                    }
                    return w.commit(Digest.sha256Of(content));
                  }
                }));
      }
      for (Future<Digest> f : fs) {
        assertThat(f.get()).isEqualTo(Digest.sha256Of(content));
      }
    } finally {
      ex.shutdownNow();
    }
    assertThat(s.path(Digest.sha256Of(content))).hasBinaryContent(content);
    assertThat(ingestFiles()).isEmpty();
  }

  private List<Path> ingestFiles() throws IOException {
    Path ingest = dir.resolve("ingest");
    if (!Files.exists(ingest)) {
      return List.of();
    }
    try (var st = Files.list(ingest)) {
      return st.toList();
    }
  }
}
