/** OCI value records: digests, media types, platforms, descriptors, config, manifest, index. */
package dev.slimbuild.core.oci;
