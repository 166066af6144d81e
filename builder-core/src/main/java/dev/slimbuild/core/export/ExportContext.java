package dev.slimbuild.core.export;

import dev.slimbuild.core.build.BuildResult;
import dev.slimbuild.core.build.Builder;
import dev.slimbuild.core.event.EventSink;
import dev.slimbuild.core.image.BlobStore;

/**
 * What an exporter gets after the build.
 *
 * @param result the build's image and reports
 * @param blobs the store holding the image's blobs (base layers only when an exporter needs them)
 * @param builder opens base layers that stayed in their registry (a push mounts or streams them)
 * @param events where progress lines go
 * @param epoch the build's timestamp (seconds), for the headers of archives written here
 */
public record ExportContext(
    BuildResult result, BlobStore blobs, Builder builder, EventSink events, long epoch) {}
