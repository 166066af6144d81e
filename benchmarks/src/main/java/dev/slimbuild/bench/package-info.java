/**
 * Benchmarks of the layer hot path (tar → SHA-256 → compress → SHA-256): a seeded tree generator, a
 * command-line pipeline runner compared against native tools by {@code
 * benchmarks/run-layer-bench.sh}, and JMH benchmarks.
 */
package dev.slimbuild.bench;
