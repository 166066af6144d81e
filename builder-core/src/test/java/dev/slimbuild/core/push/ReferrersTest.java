package dev.slimbuild.core.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.Digest;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.registry.FakeRegistry;
import dev.slimbuild.core.registry.RawManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Referrers through the OCI 1.1 API where the registry has it, else through the fallback tag; the
 * tag is written only where the API is missing. The registry is the in-memory fake, with and
 * without the API (the suite's real registry, distribution 2.8, has none: ITs cover that path).
 */
class ReferrersTest {
  private static final String ARTIFACT = "application/vnd.example.sbom";

  /** Pushes a manifest naming {@code subject}; returns its descriptor, as a referrer lists it. */
  private static Descriptor pushReferrer(FakeRegistry reg, Digest subject, String note)
      throws IOException {
    String json =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaType.OCI_MANIFEST
            + "\","
            + "\"artifactType\":\""
            + ARTIFACT
            + "\",\"config\":{\"mediaType\":"
            + "\"application/vnd.oci.empty.v1+json\",\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8"
            + "649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},\"layers\":[],\"subject\":{"
            + "\"mediaType\":\""
            + MediaType.OCI_MANIFEST
            + "\",\"digest\":\""
            + subject
            + "\",\"size\":1},\"annotations\":{\"note\":\""
            + note
            + "\"}}";
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    RawManifest m = RawManifest.of(b, MediaType.OCI_MANIFEST);
    reg.putManifest("app", m.digest().toString(), b, MediaType.OCI_MANIFEST);
    return Descriptor.of(MediaType.OCI_MANIFEST, m.digest(), b.length);
  }

  @Test
  void withoutTheApiTheFallbackTagListsTheReferrers() throws IOException {
    FakeRegistry reg = new FakeRegistry("registry.test");
    Digest subject = Digest.sha256Of("the image");
    Descriptor r = pushReferrer(reg, subject, "one");
    Referrers.add(reg, "app", subject, r);
    assertThat(reg.headManifest("app", Referrers.fallbackTag(subject))).isPresent();
    assertThat(Referrers.list(reg, "app", subject))
        .extracting(Descriptor::digest)
        .containsExactly(r.digest());
  }

  @Test
  void withTheApiNoTagIsWrittenAndTheApiAndAnOlderTagAreBothRead() throws IOException {
    FakeRegistry reg = new FakeRegistry("registry.test");
    Digest subject = Digest.sha256Of("the image");
    // a tag written while the registry had no API
    Descriptor old = pushReferrer(reg, subject, "before");
    Referrers.add(reg, "app", subject, old);
    // one only the tag names (its manifest is not in the repository, so the API cannot list it)
    Descriptor tagOnly =
        Descriptor.of(MediaType.OCI_MANIFEST, Digest.sha256Of("attached by another tool"), 2);
    Referrers.add(reg, "app", subject, tagOnly);
    reg.referrersApi = true;
    Descriptor now = pushReferrer(reg, subject, "after");
    Referrers.add(reg, "app", subject, now);
    assertThat(Referrers.fallback(reg, "app", subject))
        .extracting(Descriptor::digest)
        .as("the tag is left as it was")
        .containsExactlyInAnyOrder(old.digest(), tagOnly.digest());
    assertThat(Referrers.list(reg, "app", subject))
        .extracting(Descriptor::digest)
        .containsExactlyInAnyOrder(old.digest(), tagOnly.digest(), now.digest());
    assertThat(Referrers.list(reg, "app", Digest.sha256Of("another"))).isEmpty();
  }
}
