/**
 * Pulling base images: {@link dev.slimbuild.core.pull.ImageResolver} picks one platform's manifest
 * and config from a registry (every document verified against its descriptor), and {@link
 * dev.slimbuild.core.pull.BlobCache} downloads layers once, verified while streaming, and unpacks
 * their files so builds read base images as file trees of metadata and paths.
 */
package dev.slimbuild.core.pull;
