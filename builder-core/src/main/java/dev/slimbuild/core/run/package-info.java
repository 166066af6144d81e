/**
 * RUN: executing a command inside an image's root filesystem through a sandbox (bubblewrap, chroot
 * or proot, with qemu for foreign platforms), and snapshotting what it changed.
 */
package dev.slimbuild.core.run;
