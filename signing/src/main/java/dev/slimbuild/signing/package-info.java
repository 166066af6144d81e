/**
 * cosign-compatible signing: encrypted key files ({@link dev.slimbuild.signing.CosignKeys}), the
 * simple-signing payload ({@link dev.slimbuild.signing.SimpleSigning}), ECDSA signatures ({@link
 * dev.slimbuild.signing.Signer}, {@link dev.slimbuild.signing.Verifier}) and the check a consumer
 * makes ({@link dev.slimbuild.signing.SignatureCheck}). Depends only on the JDK and BouncyCastle.
 */
package dev.slimbuild.signing;
