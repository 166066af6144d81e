package dev.slimbuild.core.layer;

import dev.slimbuild.core.oci.Digest;

/**
 * What one pass over a layer produced.
 *
 * @param diffId SHA-256 of the uncompressed tar (the config's rootfs.diff_ids entry)
 * @param digest SHA-256 of the blob as stored (the manifest's layer descriptor digest)
 * @param compressedSize size of the blob in bytes
 * @param uncompressedSize size of the tar in bytes
 * @param mediaType OCI layer media type of the blob
 */
public record LayerDigests(
    Digest diffId, Digest digest, long compressedSize, long uncompressedSize, String mediaType) {}
