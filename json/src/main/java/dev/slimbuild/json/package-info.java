/**
 * A small JSON tree, a strict parser and a canonical writer that escapes like Go's encoding/json,
 * so the documents slimbuild writes match byte for byte what Docker, BuildKit and cosign would
 * write. Shared by the signing module (payloads, key files) and builder-core (manifests, configs,
 * indexes, attestations), so that everything we digest or sign is written one way.
 */
package dev.slimbuild.json;
