# slimbuild's executor image, REGISTRY/slimbuild/executor:VERSION, to run slimbuild in CI as
# kaniko's image runs kaniko: slimbuild with its Java runtime, RUN's sandboxes (bwrap, proot, and
# qemu-user for the other architecture's RUNs), CA certificates and busybox's shell and tools.
#
# scripts/release.sh builds it with slimbuild, for linux/amd64 and linux/arm64 into one index,
# from a context it makes out of the release tarballs and Debian's packages of each architecture
# (scripts/release/executor.sh); it is not meant to be built from the checkout directly. Layers
# go from what changes least to what changes with every release, so that a new version's pull
# downloads little more than slimbuild itself.
FROM scratch
ARG TARGETARCH

# Debian's libc6 (the dynamic loader and C library every binary here needs), busybox with its
# applets (sh and the usual tools for CI scripts), the Mozilla CA bundle at
# /etc/ssl/certs/ca-certificates.crt, /etc/passwd and /etc/os-release, and each package's control
# file in /var/lib/dpkg/status.d for the SBOM
COPY ${TARGETARCH}/base/ /

# RUN's sandboxes and what they link: bwrap, proot, and qemu-user's emulator of the other
# architecture only (qemu-aarch64-static in the amd64 image, qemu-x86_64-static in arm64's)
COPY ${TARGETARCH}/sandboxes/ /

# the release tarball's jlink'd Java runtime, and the C++ and zlib libraries it needs if any
COPY ${TARGETARCH}/runtime/ /

# the release tarball's launchers, jar and class-data archive, linked into /usr/local/bin
COPY ${TARGETARCH}/slimbuild/ /

ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
ENTRYPOINT ["/usr/local/bin/slimbuild"]
CMD ["--help"]
