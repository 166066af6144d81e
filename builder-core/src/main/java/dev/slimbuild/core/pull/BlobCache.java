package dev.slimbuild.core.pull;

import dev.slimbuild.compress.Decompressors;
import dev.slimbuild.compress.HashingInputStream;
import dev.slimbuild.core.SlimbuildException;
import dev.slimbuild.core.erofs.ErofsWriter;
import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.event.TransferMeter;
import dev.slimbuild.core.fs.Parallel;
import dev.slimbuild.core.fs.ParallelFiles;
import dev.slimbuild.core.fs.Privileges;
import dev.slimbuild.core.fs.Trees;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BlobWriter;
import dev.slimbuild.core.image.DigestMismatchException;
import dev.slimbuild.core.layer.ContentSource;
import dev.slimbuild.core.layer.EntryType;
import dev.slimbuild.core.layer.LayerEntry;
import dev.slimbuild.core.layer.LayerReader;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonArray;
import dev.slimbuild.json.JsonNumber;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * A local, content-addressed cache of pulled blobs (a {@link BlobStore}) and of unpacked layers. A
 * blob is downloaded once, its digest and size checked while it streams in: a mismatch leaves
 * nothing behind. An unpacked layer lives in {@code unpacked/ALGORITHM/HEX} (named by its diff_id)
 * as {@code entries.json} (the metadata of every entry) plus its bytes in one of two forms:
 *
 * <ul>
 *   <li>{@code layer.erofs}, one EROFS image holding the whole layer ({@link ErofsWriter}), where
 *       layer images can be mounted (root): one file written instead of one per entry, and a RUN
 *       mounts it as an overlay lower layer instead of linking files together;
 *   <li>{@code files/K/N}, the bytes of the N-th regular file, spread over a few directories K,
 *       with the layer's mode, and owner as root, so a RUN's overlay can hard-link it as a lower
 *       file (a layer an image cannot hold, say a hard link to a lower layer, goes here too).
 * </ul>
 *
 * <p>It is written in a temporary directory and renamed into place, so it is either complete or
 * absent. A layer not yet downloaded is unpacked while it downloads. Unpacking checks the diff_id,
 * the download the blob's digest.
 */
public final class BlobCache {
  private static final String ENTRIES = "entries.json";
  private static final String IMAGE = "layer.erofs";

  /** Present when the image made up a directory the layer does not list (see #image). */
  private static final String IMPLICIT = "implicit-directories";

  /** Threads creating an unpacked layer's files, and the directories they spread over. */
  private static final int WRITERS = Parallel.FILE_THREADS;

  private static final int SUBDIRS = 16;
  private static final boolean AS_ROOT = Privileges.isRoot();

  private final BlobStore blobs;
  private final Path unpacked;
  private final BooleanSupplier images;
  private final EventSink events;
  private Boolean useImages;

  /** A cache keeping blobs in {@code blobs} and unpacked layers under {@code unpackedDir}. */
  BlobCache(BlobStore blobs, Path unpackedDir) {
    this(blobs, unpackedDir, () -> false);
  }

  /**
   * A cache that unpacks layers into EROFS images when {@code images} (asked once, before the first
   * unpack) says they can be mounted, else into files.
   */
  BlobCache(BlobStore blobs, Path unpackedDir, BooleanSupplier images) {
    this(blobs, unpackedDir, images, EventSink.NONE);
  }

  private BlobCache(BlobStore blobs, Path unpackedDir, BooleanSupplier images, EventSink events) {
    this.blobs = blobs;
    this.unpacked = unpackedDir.toAbsolutePath().normalize();
    this.images = images;
    this.events = events;
  }

  /** This cache, reporting the bytes of each download to {@code events} as they arrive. */
  public BlobCache reporting(EventSink events) {
    return new BlobCache(blobs, unpacked, images, events);
  }

  /** A cache sharing {@code store}'s blobs, unpacking into {@code ROOT/unpacked} as files. */
  public static BlobCache in(BlobStore store) {
    return new BlobCache(store, store.root().resolve("unpacked"));
  }

  /**
   * A cache sharing {@code store}'s blobs, unpacking into {@code ROOT/unpacked}, as layer images
   * when {@code images} says so.
   */
  public static BlobCache in(BlobStore store, BooleanSupplier images) {
    return new BlobCache(store, store.root().resolve("unpacked"), images);
  }

  private synchronized boolean useImages() {
    if (useImages == null) {
      useImages = images.getAsBoolean();
    }
    return useImages;
  }

  /**
   * The EROFS image of the unpacked layer {@code diffId}, if it was unpacked as one; {@code
   * stackable} is false when the image made up directories the layer does not list (their
   * attributes would hide a lower layer's, so such an image can only be the bottom layer).
   */
  public Optional<LayerImage> image(Digest diffId) {
    Path dir = unpackedDir(diffId);
    Path image = dir.resolve(IMAGE);
    if (!Files.isRegularFile(image) || !Files.isRegularFile(dir.resolve(ENTRIES))) {
      return Optional.empty();
    }
    return Optional.of(new LayerImage(image, !Files.exists(dir.resolve(IMPLICIT))));
  }

  /** An unpacked layer's EROFS image. */
  public record LayerImage(Path file, boolean stackable) {}

  /** The blob store holding downloaded blobs. */
  public BlobStore blobs() {
    return blobs;
  }

  /**
   * Makes {@code blob} present in the cache, downloading it from {@code repository} unless it is
   * already there; returns its path.
   */
  public Path fetch(Registry registry, String repository, Descriptor blob) throws IOException {
    Digest d = blob.digest();
    if (d.algorithm().equals("sha256") && blobs.has(d)) {
      return blobs.path(d);
    }
    download(registry, repository, blob, in -> in.transferTo(OutputStream.nullOutputStream()));
    return blobs.path(d);
  }

  /**
   * The entries of {@code layer} (diff_id {@code diffId}), FILE contents as paths into the unpacked
   * directory; downloads and unpacks the layer the first time ({@code registry} null: the blob must
   * be in the store).
   */
  public List<LayerEntry> layer(
      Registry registry, String repository, Descriptor layer, Digest diffId) throws IOException {
    Path dir = unpackedDir(diffId);
    if (!Files.isRegularFile(dir.resolve(ENTRIES))) {
      try {
        if (registry == null && !blobs.has(layer.digest())) {
          throw new NoSuchFileException(
              "blob " + layer.digest() + " is not in the store (" + blobs.root() + ")");
        }
        unpackLayer(registry, repository, layer, diffId, dir);
      } catch (LayerReader.RefusedEntry e) {
        throw new SlimbuildException(
            (registry == null ? "the store" : registry.host() + "/" + repository)
                + ": layer "
                + layer.digest()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    return readEntries(dir);
  }

  private void unpackLayer(
      Registry registry, String repository, Descriptor layer, Digest diffId, Path dir)
      throws IOException {
    boolean image = useImages();
    try {
      if (blobs.has(layer.digest())) {
        try (InputStream raw = blobs.open(layer.digest())) {
          unpack(raw, layer, diffId, dir, image);
        }
      } else {
        // one pass: the bytes are unpacked as they arrive and stored on the way
        download(registry, repository, layer, raw -> unpack(raw, layer, diffId, dir, image));
      }
    } catch (ErofsWriter.UnsupportedLayer e) {
      // stored by now: unpacked into files instead
      try (InputStream raw = blobs.open(layer.digest())) {
        unpack(raw, layer, diffId, dir, false);
      }
    }
  }

  private Path unpackedDir(Digest diffId) {
    if (!diffId.isRegistered()) {
      throw new SlimbuildException("diff_id " + diffId + " uses an unsupported algorithm");
    }
    return unpacked.resolve(diffId.algorithm()).resolve(diffId.hex());
  }

  /** What reads a blob as it downloads. */
  @FunctionalInterface
  private interface BlobReader {
    void read(InputStream in) throws IOException;
  }

  /**
   * Downloads {@code blob} into the store while {@code reader} reads it; whatever the reader leaves
   * is read to the end, then the size and digest are checked and the blob committed.
   */
  private void download(Registry registry, String repository, Descriptor blob, BlobReader reader)
      throws IOException {
    Digest d = blob.digest();
    String what = registry.host() + "/" + repository + ": blob " + d;
    if (!d.algorithm().equals("sha256")) {
      throw new SlimbuildException(what + " uses a digest algorithm slimbuild cannot cache");
    }
    TransferMeter meter =
        new TransferMeter(
            events,
            BuildEvent.Transfer.Direction.PULL,
            registry.host() + "/" + repository,
            d.toString(),
            blob.size());
    try (InputStream in = meter.counting(registry.getBlob(repository, d));
        BlobWriter out = blobs.newWriter()) {
      StoringStream tee = new StoringStream(in, out, blob.size(), what);
      Exception failed = null;
      try {
        reader.read(tee);
      } catch (OversizedBlob e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        failed = e; // a corrupt blob fails to decompress: its digest says why, so read on
      }
      try {
        tee.transferTo(OutputStream.nullOutputStream());
      } catch (IOException e) {
        if (failed == null) {
          throw e;
        }
        failed.addSuppressed(e);
        rethrow(failed);
      }
      if (out.size() != blob.size()) {
        throw new SlimbuildException(
            what + " is " + out.size() + " bytes, its descriptor says " + blob.size());
      }
      out.commit(d);
      meter.finish();
      if (failed != null) {
        rethrow(failed);
      }
    } catch (DigestMismatchException e) {
      throw new SlimbuildException(
          registry.host()
              + "/"
              + repository
              + ": digest mismatch"
              + " for blob: expected "
              + e.expected()
              + ", got "
              + e.actual(),
          e);
    }
  }

  /** A blob that sent more bytes than its descriptor says. */
  private static final class OversizedBlob extends SlimbuildException {
    private static final long serialVersionUID = 1L;

    OversizedBlob(String message) {
      super(message);
    }
  }

  /**
   * The download as its reader sees it: every byte read is also written to the blob being stored,
   * more bytes than the descriptor says are refused, and closing it leaves the download to its
   * owner.
   */
  private static final class StoringStream extends FilterInputStream {
    private final BlobWriter out;
    private final long limit;
    private final String what;

    StoringStream(InputStream in, BlobWriter out, long limit, String what) {
      super(in);
      this.out = out;
      this.limit = limit;
      this.what = what;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = in.read(b, off, len);
      if (r > 0) {
        if (out.size() + r > limit) {
          throw new OversizedBlob(what + " is larger than its descriptor's " + limit + " bytes");
        }
        out.write(b, off, r);
      }
      return r;
    }

    @Override
    public long skip(long n) throws IOException {
      return Math.max(0, read(new byte[(int) Math.min(n, 8192)], 0, (int) Math.min(n, 8192)));
    }

    @Override
    public void close() {
      // the download is closed by its owner
    }
  }

  private static void rethrow(Exception e) throws IOException {
    if (e instanceof IOException io) {
      throw io;
    }
    throw (RuntimeException) e;
  }

  private void unpack(InputStream raw, Descriptor layer, Digest diffId, Path dir, boolean image)
      throws IOException {
    Files.createDirectories(dir.getParent());
    // files keep the layer's modes (setuid ones too): only the builder looks inside
    Files.setAttribute(unpacked, "unix:mode", 0700);
    Path tmp = Files.createTempDirectory(dir.getParent(), "." + diffId.hex() + "-");
    try {
      List<JsonValue> entries = new ArrayList<>();
      MessageDigest md = diffId.newHasher();
      long size;
      try (HashingInputStream tar =
              new HashingInputStream(Decompressors.open(raw, layer.mediaType()), md);
          LayerReader reader = new LayerReader(new NonClosing(tar));
          Unpacker out = image ? new ImageUnpacker(tmp) : new FileUnpacker(tmp)) {
        for (LayerEntry e; (e = reader.next()) != null; ) {
          entries.add(out.add(e, reader.lastModified()));
        }
        tar.transferTo(OutputStream.nullOutputStream()); // the tar's trailing padding counts
        out.finish();
        size = tar.count();
      }
      Digest actual = Digest.of(diffId.algorithm(), md.digest());
      if (!actual.equals(diffId)) {
        throw new SlimbuildException(
            "layer "
                + layer.digest()
                + ": diff_id mismatch: the"
                + " config says "
                + diffId
                + ", the uncompressed layer is "
                + actual);
      }
      blobs.recordTarSize(diffId, size);
      Files.write(tmp.resolve(ENTRIES), Json.write(new JsonArray(entries)));
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        if (!Files.isRegularFile(dir.resolve(ENTRIES))) {
          throw e;
        }
        // another build unpacked the same layer meanwhile: theirs is as good as ours
      } catch (IOException e) {
        if (!Files.isRegularFile(dir.resolve(ENTRIES))) {
          throw e;
        }
      }
    } finally {
      Trees.delete(tmp);
    }
  }

  /** Where an unpacked layer's entries go, one by one in tar order. */
  private interface Unpacker extends AutoCloseable {
    /** Takes {@code e} (modified at {@code mtime}); returns its line of entries.json. */
    JsonObject add(LayerEntry e, long mtime) throws IOException;

    /** Completes what {@link #add} started, once every entry is in. */
    void finish() throws IOException;

    @Override
    void close() throws IOException;
  }

  /** The layer as one EROFS image: each file's bytes copied into it as the tar streams by. */
  private static final class ImageUnpacker implements Unpacker {
    private final Path tmp;
    private final ErofsWriter w;

    ImageUnpacker(Path tmp) throws IOException {
      this.tmp = tmp;
      this.w =
          new ErofsWriter(
              FileChannel.open(
                  tmp.resolve(IMAGE), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              0);
    }

    @Override
    public JsonObject add(LayerEntry e, long mtime) throws IOException {
      Long at = null;
      switch (e.type()) {
        case FILE:
          try (InputStream in = e.content().open()) {
            at = w.file(e.path(), e.mode(), e.uid(), e.gid(), mtime, e.size(), in, e.xattrs());
          }
          break;
        case DIRECTORY:
          w.directory(e.path(), e.mode(), e.uid(), e.gid(), mtime, e.xattrs());
          break;
        case SYMLINK:
          w.symlink(e.path(), e.linkTarget(), e.uid(), e.gid(), mtime, e.xattrs());
          break;
        case HARDLINK:
          w.hardlink(e.path(), e.linkTarget());
          break;
        case WHITEOUT:
          w.whiteout(e.path());
          break;
        case OPAQUE:
          w.opaque(e.path());
          break;
        default:
          throw new ErofsWriter.UnsupportedLayer("entry type " + e.type());
      }
      return toJson(e, null, at);
    }

    @Override
    public void finish() throws IOException {
      w.finish();
      if (w.hasImplicitDirectories()) {
        Files.createFile(tmp.resolve(IMPLICIT));
      }
    }

    @Override
    public void close() throws IOException {
      w.close();
    }
  }

  /**
   * The layer as one file per regular file, written by several threads, spread over a few
   * directories (creations in one directory do not overlap).
   */
  private static final class FileUnpacker implements Unpacker {
    private final Path files;
    private final ParallelFiles writer = new ParallelFiles(WRITERS);
    private int n;

    FileUnpacker(Path tmp) throws IOException {
      this.files = Files.createDirectory(tmp.resolve("files"));
    }

    @Override
    public JsonObject add(LayerEntry e, long mtime) throws IOException {
      if (e.type() != EntryType.FILE) {
        return toJson(e, null, null);
      }
      String sub = Integer.toString(n % SUBDIRS);
      if (n < SUBDIRS) {
        Files.createDirectory(files.resolve(sub));
      }
      String file = sub + "/" + n++;
      try (InputStream in = e.content().open()) {
        writer.write(
            files.resolve(file),
            in,
            e.size(),
            written -> {
              // as the layer says, so a RUN's overlay can use the file itself as a lower file
              if (AS_ROOT) {
                if (e.uid() != 0 || e.gid() != 0) {
                  Files.setAttribute(written, "unix:uid", e.uid());
                  Files.setAttribute(written, "unix:gid", e.gid());
                }
                Files.setAttribute(written, "unix:mode", e.mode());
              } else if ((e.mode() & 0400) != 0) {
                Files.setAttribute(written, "unix:mode", e.mode()); // still readable to us
              }
              // the layer's time: a RUN over these files sees what the image records
              Files.setLastModifiedTime(
                  written, FileTime.from(Instant.ofEpochSecond(Math.max(0, mtime))));
            });
      }
      return toJson(e, file, null);
    }

    @Override
    public void finish() throws IOException {
      writer.await();
    }

    @Override
    public void close() {
      writer.close();
    }
  }

  private static JsonObject toJson(LayerEntry e, String file, Long at) {
    JsonObject.Builder b =
        JsonObject.builder()
            .put("path", e.path())
            .put("type", e.type().name())
            .put("mode", e.mode())
            .put("uid", e.uid())
            .put("gid", e.gid())
            .put("size", e.size())
            .putIfPresent("link", e.linkTarget())
            .putIfPresent("file", file);
    if (at != null) {
      b.put("at", at);
    }
    if (!e.xattrs().isEmpty()) {
      b.put("xattrs", stringMap(e.xattrs()));
    }
    return b.build();
  }

  private static JsonObject stringMap(Map<String, String> m) {
    JsonObject.Builder b = JsonObject.builder();
    m.forEach(b::put);
    return b.build();
  }

  private static List<LayerEntry> readEntries(Path dir) throws IOException {
    JsonValue doc = Json.parse(Files.readAllBytes(dir.resolve(ENTRIES)));
    if (!(doc instanceof JsonArray arr)) {
      throw new IOException(dir.resolve(ENTRIES) + ": not a JSON array");
    }
    Path files = dir.resolve("files");
    Path image = dir.resolve(IMAGE);
    List<LayerEntry> out = new ArrayList<>(arr.size());
    try {
      for (JsonValue v : arr.values()) {
        JsonObject o = (JsonObject) v;
        String file = str(o, "file");
        long size = num(o, "size");
        ContentSource content =
            file != null
                ? ContentSource.ofTimedPath(files.resolve(file))
                : o.get("at").isPresent() ? ContentSource.ofRange(image, num(o, "at"), size) : null;
        Map<String, String> xattrs = new TreeMap<>();
        o.get("xattrs")
            .ifPresent(
                x ->
                    ((JsonObject) x)
                        .members()
                        .forEach((k, val) -> xattrs.put(k, ((JsonString) val).value())));
        out.add(
            new LayerEntry(
                str(o, "path"),
                EntryType.valueOf(str(o, "type")),
                (int) num(o, "mode"),
                (int) num(o, "uid"),
                (int) num(o, "gid"),
                size,
                str(o, "link"),
                content,
                xattrs));
      }
    } catch (ClassCastException | IllegalArgumentException | NullPointerException e) {
      throw new IOException(
          dir.resolve(ENTRIES)
              + ": corrupt ("
              + e.getMessage()
              + "); delete the directory to unpack the layer again",
          e);
    }
    return out;
  }

  private static String str(JsonObject o, String key) {
    return o.get(key).map(v -> ((JsonString) v).value()).orElse(null);
  }

  private static long num(JsonObject o, String key) {
    return ((JsonNumber) o.get(key).orElseThrow()).longValue();
  }

  /** Lets the layer reader close without closing the stream we still drain. */
  private static final class NonClosing extends FilterInputStream {
    NonClosing(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
