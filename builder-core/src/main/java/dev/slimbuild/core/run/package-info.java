/**
 * RUN: the sandboxes that execute a command, and the filesystem around them — {@link
 * dev.slimbuild.core.run.RootfsWriter} writes a stage's tree to a work directory and {@link
 * dev.slimbuild.core.run.Snapshot} turns what the command changed there into a layer, comparing
 * cheap metadata before it ever reads content.
 */
package dev.slimbuild.core.run;
