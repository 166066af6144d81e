package dev.slimbuild.core.export;

import dev.slimbuild.core.build.BuildRequest;
import dev.slimbuild.core.build.BuildResult;
import dev.slimbuild.core.build.Builder;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.ImageOutput;

/**
 * What an exporter gets after the build.
 *
 * @param request what was built
 * @param result the build's image and reports
 * @param image what exporters that carry attestations write: the image with its attestations when
 *     any were made, else the image itself ({@code result.image()})
 * @param blobs the store holding the image's blobs (base layers only when an exporter needs them)
 * @param builder opens base layers that stayed in their registry (a push mounts or streams them)
 * @param events where progress lines go
 */
public record ExportContext(
    BuildRequest request,
    BuildResult result,
    ImageOutput image,
    BlobStore blobs,
    Builder builder,
    EventSink events) {
  /** The context of a build before attestations: {@code image} is the result's. */
  public static ExportContext of(
      BuildRequest request,
      BuildResult result,
      BlobStore blobs,
      Builder builder,
      EventSink events) {
    return new ExportContext(request, result, result.image(), blobs, builder, events);
  }

  /** The same context exporting {@code other}. */
  ExportContext with(ImageOutput other) {
    return new ExportContext(request, result, other, blobs, builder, events);
  }

  /** The build's timestamp (seconds), for the headers of archives written here. */
  public long epoch() {
    return request.sourceDateEpoch();
  }
}
