/**
 * Layer compression codecs (zstd, gzip, none) with deterministic output, decompressing readers that
 * sniff the format, and streams that hash and count the bytes passing through them.
 */
package dev.slimbuild.compress;
