package dev.slimbuild.core.layer;

import dev.slimbuild.core.fs.Slice;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a file's bytes come from. Opened only when the layer is written, once per write. */
@FunctionalInterface
public interface ContentSource {
  /** Opens a fresh stream over the content; the caller closes it. */
  InputStream open() throws IOException;

  /** No bytes. */
  ContentSource EMPTY = () -> InputStream.nullInputStream();

  /** The bytes of a file on disk, read when the layer is written. */
  static ContentSource ofPath(Path path) {
    return new PathSource(path, false);
  }

  /**
   * The bytes of a file whose modification time is the one its layer records (a file unpacked from
   * a layer), so a RUN may see the file itself rather than a copy with the build's time.
   */
  static ContentSource ofTimedPath(Path path) {
    return new PathSource(path, true);
  }

  /** Bytes held in memory (small files, tests); the array is not copied. */
  static ContentSource ofBytes(byte[] bytes) {
    return () -> new ByteArrayInputStream(bytes);
  }

  /** {@code size} bytes of {@code file} from {@code offset} (a file inside a layer image). */
  static ContentSource ofRange(Path file, long offset, long size) {
    return new RangeSource(file, offset, size);
  }

  /** A range of a file, read through its channel from the offset. */
  record RangeSource(Path file, long offset, long size) implements ContentSource {
    @Override
    public InputStream open() throws IOException {
      FileChannel ch = FileChannel.open(file);
      try {
        ch.position(offset);
        return new Slice(Channels.newInputStream(ch), size, true);
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
    }
  }

  /**
   * A content source backed by a file, so writers can use the file channel directly; {@code timed}
   * when the file's modification time is the one its layer records.
   */
  record PathSource(Path path, boolean timed) implements ContentSource {
    public PathSource(Path path) {
      this(path, false);
    }

    @Override
    public InputStream open() throws IOException {
      return Files.newInputStream(path);
    }
  }
}
