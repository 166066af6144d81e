package dev.slimbuild.signing;

import dev.slimbuild.json.Json;
import dev.slimbuild.json.JsonNull;
import dev.slimbuild.json.JsonNumber;
import dev.slimbuild.json.JsonObject;
import dev.slimbuild.json.JsonParseException;
import dev.slimbuild.json.JsonString;
import dev.slimbuild.json.JsonValue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Object;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.math.ec.ECCurve;

/**
 * cosign's key files: ECDSA P-256 keys, the private key PKCS#8 DER sealed with scrypt + NaCl
 * secretbox in a JSON document inside a PEM block. Loads cosign's own files and the plain PEM forms
 * ({@code PRIVATE KEY}, {@code EC PRIVATE KEY}, {@code PUBLIC KEY}) too.
 */
public final class CosignKeys {
  /** The PEM label current cosign writes and we write. */
  public static final String SIGSTORE_LABEL = "ENCRYPTED SIGSTORE PRIVATE KEY";

  /** The PEM label older cosign wrote; still read. */
  public static final String COSIGN_LABEL = "ENCRYPTED COSIGN PRIVATE KEY";

  static final int SCRYPT_N = 65536;
  static final int SCRYPT_R = 8;
  static final int SCRYPT_P = 1;
  private static final int SALT_BYTES = 32;
  // cosign refuses any other work factor; so do we (it also bounds memory: 128 * r * N bytes).
  private static final Set<Integer> ACCEPTED_N = Set.of(32768, 65536, 131072);

  private static final ASN1ObjectIdentifier ED25519 = new ASN1ObjectIdentifier("1.3.101.112");

  private static final SecureRandom RANDOM = new SecureRandom();

  private CosignKeys() {}

  /** A new ECDSA P-256 key pair, the private key encrypted with {@code password}. */
  public static KeyPairFiles generate(char[] password) {
    KeyPair kp;
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      kp = g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no ECDSA P-256", e);
    }
    byte[] pkcs8 = kp.getPrivate().getEncoded();
    try {
      return new KeyPairFiles(
          encrypt(pkcs8, password), new Pem("PUBLIC KEY", kp.getPublic().getEncoded()).encode());
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  /** {@code pkcs8} sealed as cosign seals it, as an {@code ENCRYPTED SIGSTORE PRIVATE KEY} PEM. */
  static String encrypt(byte[] pkcs8, char[] password) {
    byte[] salt = new byte[SALT_BYTES];
    byte[] nonce = new byte[SecretBox.NONCE_BYTES];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(nonce);
    byte[] key = scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P);
    byte[] box;
    try {
      box = SecretBox.seal(key, nonce, pkcs8);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    Base64.Encoder b64 = Base64.getEncoder();
    // Field order and spelling are those of cosign's encrypted-key struct marshalled by Go.
    JsonObject json =
        JsonObject.builder()
            .put(
                "kdf",
                JsonObject.builder()
                    .put("name", "scrypt")
                    .put(
                        "params",
                        JsonObject.builder()
                            .put("N", SCRYPT_N)
                            .put("r", SCRYPT_R)
                            .put("p", SCRYPT_P)
                            .build())
                    .put("salt", b64.encodeToString(salt))
                    .build())
            .put(
                "cipher",
                JsonObject.builder()
                    .put("name", "nacl/secretbox")
                    .put("nonce", b64.encodeToString(nonce))
                    .build())
            .put("ciphertext", b64.encodeToString(box))
            .build();
    return new Pem(SIGSTORE_LABEL, Json.write(json)).encode();
  }

  /**
   * The private key in {@code pem}: cosign's encrypted forms (decrypted with {@code password}), or
   * a plain {@code PRIVATE KEY} (PKCS#8) or {@code EC PRIVATE KEY} (SEC1), where the password is
   * ignored. KeyException for a wrong password or anything unreadable.
   */
  public static PrivateKey loadPrivate(String pem, char[] password) {
    Pem block = Pem.decode(pem);
    return switch (block.label()) {
      case SIGSTORE_LABEL, COSIGN_LABEL -> {
        byte[] pkcs8 = decrypt(block.der(), password);
        try {
          yield decryptedPrivateKey(pkcs8);
        } finally {
          Arrays.fill(pkcs8, (byte) 0);
        }
      }
      case "PRIVATE KEY" -> pkcs8PrivateKey(block.der());
      case "EC PRIVATE KEY" -> sec1PrivateKey(block.der());
      default ->
          throw new KeyException(
              "unsupported private key type "
                  + block.label()
                  + " (expected "
                  + SIGSTORE_LABEL
                  + ", PRIVATE KEY or EC PRIVATE KEY)");
    };
  }

  /**
   * The public key of an EC private key (Q = d·G on its curve), to recognise signatures this key
   * made earlier. KeyException for other key types.
   */
  public static PublicKey publicKeyOf(PrivateKey key) {
    if (!(key instanceof java.security.interfaces.ECPrivateKey ec)) {
      throw new KeyException("cannot derive the public key of a " + key.getAlgorithm() + " key");
    }
    ECParameterSpec params = ec.getParams();
    ECPoint g = params.getGenerator();
    ECCurve curve = EC5Util.convertCurve(params.getCurve());
    org.bouncycastle.math.ec.ECPoint q =
        curve.createPoint(g.getAffineX(), g.getAffineY()).multiply(ec.getS()).normalize();
    try {
      return KeyFactory.getInstance("EC")
          .generatePublic(
              new ECPublicKeySpec(
                  new ECPoint(
                      q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger()),
                  params));
    } catch (GeneralSecurityException e) {
      throw new KeyException("cannot derive the public key: " + e.getClass().getSimpleName());
    }
  }

  /**
   * The public key in a {@code PUBLIC KEY} PEM (X.509 SubjectPublicKeyInfo): EC, RSA or Ed25519.
   */
  public static PublicKey loadPublic(String pem) {
    Pem block = Pem.decode(pem);
    if (!block.label().equals("PUBLIC KEY")) {
      throw new KeyException("expected a PUBLIC KEY PEM block, found " + block.label());
    }
    try {
      SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(block.der());
      String alg = algorithm(info.getAlgorithm().getAlgorithm());
      return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(block.der()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new KeyException("unreadable public key", e);
    }
  }

  private static byte[] decrypt(byte[] jsonBytes, char[] password) {
    JsonObject doc;
    try {
      if (!(Json.parseStrict(jsonBytes) instanceof JsonObject o)) {
        throw new KeyException("encrypted private key is not a JSON object");
      }
      doc = o;
    } catch (JsonParseException e) {
      throw new KeyException("encrypted private key is not valid JSON");
    }
    JsonObject kdf = object(doc, "kdf");
    JsonObject params = object(kdf, "params");
    JsonObject cipher = object(doc, "cipher");
    String kdfName = name(kdf);
    if (!"scrypt".equals(kdfName)) {
      throw new KeyException("unsupported key derivation " + kdfName + " (expected scrypt)");
    }
    String cipherName = name(cipher);
    if (!"nacl/secretbox".equals(cipherName)) {
      throw new KeyException("unsupported cipher " + cipherName + " (expected nacl/secretbox)");
    }
    int n = integer(params, "N");
    int r = integer(params, "r");
    int p = integer(params, "p");
    if (!ACCEPTED_N.contains(n) || r != SCRYPT_R || p != SCRYPT_P) {
      throw new KeyException(
          "unsupported scrypt parameters N="
              + n
              + " r="
              + r
              + " p="
              + p
              + " (cosign uses N 32768, 65536 or 131072, r 8, p 1)");
    }
    byte[] salt = bytes(kdf, "salt");
    byte[] nonce = bytes(cipher, "nonce");
    byte[] box = bytes(doc, "ciphertext");
    if (nonce.length != SecretBox.NONCE_BYTES) {
      throw new KeyException("nonce must be 24 bytes, is " + nonce.length);
    }
    byte[] key = scrypt(password, salt, n, r, p);
    try {
      byte[] plain = SecretBox.open(key, nonce, box);
      if (plain == null) {
        throw new KeyException("wrong password (or a damaged key file)");
      }
      return plain;
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] scrypt(char[] password, byte[] salt, int n, int r, int p) {
    ByteBuffer buf = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] pw = new byte[buf.remaining()];
    buf.get(pw);
    buf.clear(); // the password's bytes are overwritten, whatever buffer the encoder chose
    while (buf.hasRemaining()) {
      buf.put((byte) 0);
    }
    try {
      return SCrypt.generate(pw, salt, n, r, p, SecretBox.KEY_BYTES);
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }

  /**
   * What the box held: PKCS#8 as current cosign seals, or SEC1, which older cosign key files hold
   * (the conformance file {@code cosign-ec.key} does).
   */
  private static PrivateKey decryptedPrivateKey(byte[] der) {
    boolean pkcs8;
    try {
      PrivateKeyInfo.getInstance(der);
      pkcs8 = true;
    } catch (IllegalArgumentException e) {
      pkcs8 = false;
    }
    return pkcs8 ? pkcs8PrivateKey(der) : sec1PrivateKey(der);
  }

  private static PrivateKey pkcs8PrivateKey(byte[] der) {
    String alg;
    try {
      alg = algorithm(PrivateKeyInfo.getInstance(der).getPrivateKeyAlgorithm().getAlgorithm());
    } catch (IllegalArgumentException e) {
      throw new KeyException("not a PKCS#8 private key");
    }
    try {
      return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      // No cause: the JDK's message may quote the key bytes.
      throw new KeyException("unreadable " + alg + " private key");
    }
  }

  private static PrivateKey sec1PrivateKey(byte[] der) {
    byte[] pkcs8;
    try {
      ECPrivateKey sec1 = ECPrivateKey.getInstance(ASN1Primitive.fromByteArray(der));
      ASN1Object curve = sec1.getParametersObject();
      if (curve == null) {
        throw new KeyException("EC PRIVATE KEY without curve parameters");
      }
      pkcs8 =
          new PrivateKeyInfo(
                  new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), sec1)
              .getEncoded();
    } catch (IOException | IllegalArgumentException e) {
      throw new KeyException("not a SEC1 EC private key");
    }
    try {
      return pkcs8PrivateKey(pkcs8);
    } finally {
      Arrays.fill(pkcs8, (byte) 0);
    }
  }

  private static String algorithm(ASN1ObjectIdentifier oid) {
    if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      return "EC";
    }
    if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      return "RSA";
    }
    if (oid.equals(ED25519)) {
      return "Ed25519";
    }
    throw new KeyException("unsupported key algorithm " + oid.getId());
  }

  private static JsonObject object(JsonObject o, String name) {
    if (o.get(name).orElse(null) instanceof JsonObject member) {
      return member;
    }
    throw new KeyException("encrypted private key has no \"" + name + "\" object");
  }

  /** The {@code name} member as the message shows it: a string's value, else its JSON text. */
  private static String name(JsonObject o) {
    JsonValue v = o.get("name").orElse(JsonNull.INSTANCE);
    return v instanceof JsonString s ? s.value() : v.toJson();
  }

  private static int integer(JsonObject o, String name) {
    if (o.get(name).orElse(null) instanceof JsonNumber n) {
      try {
        return n.decimalValue().intValueExact();
      } catch (ArithmeticException e) {
        // fall through to the error below
      }
    }
    throw new KeyException("encrypted private key: \"" + name + "\" is not an integer");
  }

  private static byte[] bytes(JsonObject o, String name) {
    if (o.get(name).orElse(null) instanceof JsonString s) {
      try {
        return Base64.getDecoder().decode(s.value());
      } catch (IllegalArgumentException e) {
        throw new KeyException("encrypted private key: \"" + name + "\" is not base64");
      }
    }
    throw new KeyException("encrypted private key has no \"" + name + "\" string");
  }
}
