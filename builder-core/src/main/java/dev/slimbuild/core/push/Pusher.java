package dev.slimbuild.core.push;

import dev.slimbuild.core.event.BuildEvent;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.event.TransferMeter;
import dev.slimbuild.core.image.AttestationManifest;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.DigestMismatchException;
import dev.slimbuild.core.image.ImageIndex;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.optimize.Sizes;
import dev.slimbuild.core.registry.Registry;
import dev.slimbuild.core.registry.Registry.PushResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pushes an {@link ImageOutput} whose blobs are in a {@link BlobStore} to one repository of a
 * {@link Registry}, in an order that never lets a tag point at an incomplete image:
 *
 * <ol>
 *   <li>every distinct config and layer blob, at most {@code parallelism} at a time through one
 *       executor: skipped when the repository has it, mounted when a repository named for it in
 *       {@code mountFrom} (base-image layers) has it, else uploaded;
 *   <li>each platform manifest by its digest (an index only);
 *   <li>the top document (the index, or the single manifest) under each tag, or by digest when no
 *       tag is given.
 * </ol>
 *
 * If any step fails nothing later is attempted, so no tag is written. The report lists blobs in a
 * fixed order (platforms in order, config before layers) whatever order the uploads finish in.
 */
public final class Pusher {
  /** Concurrent blob pushes by default. */
  static final int DEFAULT_PARALLELISM = 3;

  private final Registry registry;
  private final BlobStore blobs;
  private final int parallelism;
  private final EventSink events;

  /** A pusher with {@link #DEFAULT_PARALLELISM} and no events. */
  public Pusher(Registry registry, BlobStore blobs) {
    this(registry, blobs, DEFAULT_PARALLELISM, EventSink.NONE);
  }

  /** A pusher pushing at most {@code parallelism} blobs at a time, reporting to {@code events}. */
  public Pusher(Registry registry, BlobStore blobs, int parallelism, EventSink events) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
    this.registry = Objects.requireNonNull(registry, "registry");
    this.blobs = Objects.requireNonNull(blobs, "blobs");
    this.parallelism = parallelism;
    this.events = Objects.requireNonNull(events, "events");
  }

  /**
   * Pushes {@code image} to {@code repository} under {@code tags} (by digest only when empty).
   *
   * @param mountFrom for blobs that other repositories of the same registry hold (e.g. the base
   *     image's layers), the repositories to try a cross-repository mount from
   */
  public PushReport push(
      ImageOutput image, String repository, List<String> tags, Map<Digest, List<String>> mountFrom)
      throws IOException {
    return push(image, repository, tags, mountFrom, null);
  }

  /**
   * Where to read a blob the local store does not hold (a base-image layer that was never
   * downloaded): opened only if the registry has neither the blob nor a mountable copy.
   */
  @FunctionalInterface
  public interface RemoteContent {
    InputStream open(Descriptor blob) throws IOException;
  }

  /**
   * As {@link #push(ImageOutput, String, List, Map)}, reading blobs missing from the local store
   * through {@code remote} (null: every blob must be local).
   */
  public PushReport push(
      ImageOutput image,
      String repository,
      List<String> tags,
      Map<Digest, List<String>> mountFrom,
      RemoteContent remote)
      throws IOException {
    Objects.requireNonNull(repository, "repository");
    List<String> tagList = List.copyOf(new LinkedHashSet<>(tags));
    Descriptor top = image.descriptor().withPlatform(null);
    if (alreadyTagged(repository, tagList, top.digest())) {
      // every tag names this exact document, which was written last: all it references is there
      for (String tag : tagList) {
        events.accept(
            new BuildEvent.Info(
                "pushed "
                    + registry.host()
                    + "/"
                    + repository
                    + ":"
                    + tag
                    + " ("
                    + top.digest()
                    + ", unchanged: the registry holds it already)"));
      }
      return new PushReport(top, repository, tagList, List.of());
    }
    List<Descriptor> toPush = contentBlobs(image);
    List<PushReport.BlobPush> results = pushBlobs(repository, toPush, mountFrom, remote);

    if (image instanceof ImageIndex index) {
      for (BuiltImage platform : index.images()) {
        putManifest(repository, platform.manifest().digest().toString(), platform);
      }
      for (AttestationManifest a : index.attestations()) {
        Descriptor d = a.manifest().descriptor(a.manifest().value().descriptorMediaType());
        put(repository, d.digest().toString(), a.manifest().bytes(), d);
        Referrers.add(registry, repository, a.subject(), a.referrerEntry());
      }
    }
    if (tagList.isEmpty()) {
      put(repository, top.digest().toString(), image.topBytes(), top);
    }
    for (String tag : tagList) {
      put(repository, tag, image.topBytes(), top);
      events.accept(
          new BuildEvent.Info(
              "pushed "
                  + registry.host()
                  + "/"
                  + repository
                  + ":"
                  + tag
                  + " ("
                  + top.digest()
                  + ")"));
    }
    return new PushReport(top, repository, tagList, results);
  }

  /**
   * Whether every tag of {@code tags} (at least one) already names {@code top} in {@code
   * repository}. A push writes the tags last, after every blob and manifest the document
   * references, and a registry accepts a manifest only when what it references is there: an
   * unchanged image then costs one HEAD per tag instead of a request per blob and manifest. Any
   * doubt (an error, a registry that does not say the digest) is a "no".
   */
  private boolean alreadyTagged(String repository, List<String> tags, Digest top) {
    if (tags.isEmpty()) {
      return false;
    }
    for (String tag : tags) {
      try {
        Optional<Descriptor> d = registry.headManifest(repository, tag);
        if (d.isEmpty() || !d.get().digest().equals(top)) {
          return false;
        }
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }
    return true;
  }

  /** The distinct config and layer blobs of {@code image}: per platform, config then layers. */
  static List<Descriptor> contentBlobs(ImageOutput image) {
    Map<Digest, Descriptor> byDigest = new LinkedHashMap<>();
    for (BuiltImage i : image.images()) {
      byDigest.putIfAbsent(i.manifest().value().config().digest(), i.manifest().value().config());
      for (Descriptor l : i.layers()) {
        byDigest.putIfAbsent(l.digest(), l);
      }
    }
    for (AttestationManifest a : image.attestations()) {
      byDigest.putIfAbsent(a.manifest().value().config().digest(), a.manifest().value().config());
      for (Descriptor l : a.manifest().value().layers()) {
        byDigest.putIfAbsent(l.digest(), l);
      }
    }
    return List.copyOf(byDigest.values());
  }

  private List<PushReport.BlobPush> pushBlobs(
      String repository,
      List<Descriptor> toPush,
      Map<Digest, List<String>> mountFrom,
      RemoteContent remote)
      throws IOException {
    for (Descriptor d : toPush) {
      if (!blobs.has(d.digest()) && remote == null) {
        throw new NoSuchFileException("blob " + d.digest() + " (" + blobs.path(d.digest()) + ")");
      }
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.min(parallelism, Math.max(1, toPush.size())), threads());
    try {
      List<Future<PushResult>> futures = new ArrayList<>();
      for (Descriptor d : toPush) {
        // the registry client drops duplicates and the target repository itself
        List<String> sources = mountFrom.getOrDefault(d.digest(), List.of());
        TransferMeter meter =
            new TransferMeter(
                events,
                BuildEvent.Transfer.Direction.PUSH,
                registry.host() + "/" + repository,
                d.digest().toString(),
                d.size());
        futures.add(
            pool.submit(
                () -> {
                  PushResult r =
                      registry.pushBlob(
                          repository,
                          d,
                          () ->
                              meter.counting(
                                  blobs.has(d.digest()) ? blobs.open(d.digest()) : remote.open(d)),
                          sources);
                  if (r == PushResult.UPLOADED) {
                    meter.finish();
                  }
                  return r;
                }));
      }
      // Wait for every push in order; after the first failure, cancel what has not started.
      List<PushReport.BlobPush> results = new ArrayList<>();
      Throwable failure = null;
      for (int i = 0; i < futures.size(); i++) {
        try {
          PushResult r = futures.get(i).get();
          if (failure == null) {
            results.add(new PushReport.BlobPush(toPush.get(i), r));
            events.accept(
                new BuildEvent.Info(
                    "blob "
                        + toPush.get(i).digest().shortHex()
                        + ": "
                        + r.name().toLowerCase(Locale.ROOT)
                        + " "
                        + Sizes.format(toPush.get(i).size())));
          }
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause();
            futures.forEach(f -> f.cancel(false));
          }
        } catch (CancellationException e) {
          // cancelled after an earlier failure
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          futures.forEach(f -> f.cancel(true));
          throw new InterruptedIOException("interrupted while pushing blobs");
        }
      }
      if (failure != null) {
        throw rethrow(failure);
      }
      events.accept(new BuildEvent.Info(totals(registry.host() + "/" + repository, results)));
      return results;
    } finally {
      pool.shutdownNow();
      awaitQuietly(pool);
    }
  }

  /** "blobs to HOST/REPO: 1.20MB uploaded (1), 3.40MB mounted (2), 87B there already (1)". */
  private static String totals(String repository, List<PushReport.BlobPush> results) {
    Map<PushResult, long[]> by = new EnumMap<>(PushResult.class);
    for (PushResult r : PushResult.values()) {
      by.put(r, new long[2]);
    }
    for (PushReport.BlobPush b : results) {
      long[] t = by.get(b.result());
      t[0]++;
      t[1] += b.blob().size();
    }
    return "blobs to "
        + repository
        + ": "
        + Sizes.format(by.get(PushResult.UPLOADED)[1])
        + " uploaded ("
        + by.get(PushResult.UPLOADED)[0]
        + "), "
        + Sizes.format(by.get(PushResult.MOUNTED)[1])
        + " mounted ("
        + by.get(PushResult.MOUNTED)[0]
        + "), "
        + Sizes.format(by.get(PushResult.EXISTED)[1])
        + " there already ("
        + by.get(PushResult.EXISTED)[0]
        + ")";
  }

  private void putManifest(String repository, String reference, BuiltImage image)
      throws IOException {
    put(repository, reference, image.topBytes(), image.descriptor());
  }

  private void put(String repository, String reference, byte[] bytes, Descriptor expected)
      throws IOException {
    Digest got = registry.putManifest(repository, reference, bytes, expected.mediaType());
    if (!got.equals(expected.digest())) {
      throw new DigestMismatchException(
          "manifest " + registry.host() + "/" + repository + ":" + reference,
          expected.digest(),
          got);
    }
  }

  private static IOException rethrow(Throwable t) {
    if (t instanceof IOException io) {
      return io;
    }
    if (t instanceof UncheckedIOException u) {
      return u.getCause();
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IOException(t);
  }

  private static void awaitQuietly(ExecutorService pool) {
    try {
      // bounded: pushes end at their socket timeouts once interrupted
      pool.awaitTermination(10, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory threads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "slimbuild-push-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
