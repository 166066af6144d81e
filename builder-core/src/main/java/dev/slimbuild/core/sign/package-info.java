/**
 * cosign-compatible image signatures in registries: the {@code sha256-HEX.sig} tag scheme, signing
 * an image (its index and every platform manifest) and verifying every signature with a public key.
 * Keys and payloads come from the {@code signing} module.
 */
package dev.slimbuild.core.sign;
