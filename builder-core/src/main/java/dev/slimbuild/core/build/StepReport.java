package dev.slimbuild.core.build;

import dev.slimbuild.core.oci.Descriptor;

/**
 * What one instruction did: its text and line, and the layer it added (null for none).
 *
 * @param files the number of entries in the layer
 */
public record StepReport(
    String stage, String instruction, int line, Descriptor layer, long uncompressedSize,
    int files) {}
