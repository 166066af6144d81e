/**
 * RUN: rootless sandboxes (bubblewrap, chroot, proot, qemu-user for foreign platforms) that run a
 * command in a stage's materialised root filesystem, and the snapshot that turns what the command
 * changed into a layer by comparing cheap metadata, reading contents only when that cannot decide.
 */
package dev.slimbuild.core.run;
