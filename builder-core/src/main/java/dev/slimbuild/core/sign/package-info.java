/**
 * cosign-compatible image signatures in registries, in both of cosign's formats: the {@code
 * sha256-HEX.sig} tag scheme, and sigstore bundles attached as OCI 1.1 referrers (listed in the
 * {@code sha256-HEX} fallback index); signing an image (its index and every platform manifest) and
 * verifying every signature with a public key. Keys, payloads and DSSE envelopes come from the
 * {@code signing} module.
 */
package dev.slimbuild.core.sign;
