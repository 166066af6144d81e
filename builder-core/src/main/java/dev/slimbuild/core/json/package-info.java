/**
 * A small JSON tree, a strict parser and a canonical writer that escapes like Go's encoding/json,
 * so the documents slimbuild writes match byte for byte what Docker and BuildKit would write.
 */
package dev.slimbuild.core.json;
