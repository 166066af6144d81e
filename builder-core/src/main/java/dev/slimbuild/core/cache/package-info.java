/**
 * The build cache: every step's key computed from its inputs before it runs, and the records that
 * map keys to layers, kept in the local store and exported to or imported from a registry (an OCI
 * artifact) or a local OCI layout.
 */
package dev.slimbuild.core.cache;
