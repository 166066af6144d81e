/**
 * Registry access behind slimbuild's own {@link dev.slimbuild.core.registry.Registry} interface:
 * manifests as exact bytes, blobs streamed, credentials and TLS options. jib-core is used inside
 * this package only; none of its types appear in a public signature.
 */
package dev.slimbuild.core.registry;
