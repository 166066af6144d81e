/**
 * Software bills of materials for built images: the packages an image holds, read from the package
 * databases and binaries of its final file system (dpkg, apk, npm, Python, Go build info, Maven
 * pom.properties in jars), and the files the build added, with checksums. Written as SPDX 2.3 JSON
 * (our writer) or CycloneDX 1.6 JSON (cyclonedx-core-java).
 */
package dev.slimbuild.core.sbom;
