/**
 * Pushing built images to a registry: blobs first (skipped when present, mounted from base-image
 * repositories when possible, uploaded with bounded parallelism), then platform manifests by
 * digest, then the top document under each tag, so a tag never points at an incomplete image.
 */
package dev.slimbuild.core.push;
