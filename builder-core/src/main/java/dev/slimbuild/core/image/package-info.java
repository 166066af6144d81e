/**
 * Built images and where they go: the content-addressed blob store, the immutable image model (one
 * manifest per platform, an index for several), the OCI layout, docker-archive and local store
 * writers, and a validator that checks any image end to end.
 */
package dev.slimbuild.core.image;
