package dev.slimbuild.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our OCI layouts read by real tools: skopeo and umoci (scripts/install-test-deps.sh). */
class OciToolsIT {
  @TempDir Path dir;

  record Result(int code, String out) {}

  private static Result run(Path cwd, String... cmd) throws IOException, InterruptedException {
    Path log = Files.createTempFile("tool-", ".log");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .directory(cwd.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " did not finish");
      }
      return new Result(p.exitValue(), Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void skopeoAndUmociReadASinglePlatformLayout() throws Exception {
    BlobStore store = new BlobStore(dir.resolve("store"));
    BuiltImage img =
        TestImages.image(
            store, Platform.parse("linux/amd64"), Map.of("hello.txt", "hello from slimbuild\n"));
    Path layout = dir.resolve("layout");
    OciLayoutWriter.write(
        store, img, List.of(ImageReference.parse("registry.example.com/app:1")), layout);

    Result inspect = run(dir, "skopeo", "inspect", "oci:" + layout + ":1");
    assertThat(inspect.code()).as(inspect.out()).isZero();
    assertThat(inspect.out()).contains("\"Digest\": \"" + img.manifest().digest() + "\"");
    assertThat(inspect.out()).contains("\"Architecture\": \"amd64\"");

    Result raw = run(dir, "skopeo", "inspect", "--raw", "oci:" + layout + ":1");
    assertThat(raw.code()).as(raw.out()).isZero();
    assertThat(raw.out().trim()).isEqualTo(new String(img.topBytes(), StandardCharsets.UTF_8));

    Path bundle = dir.resolve("bundle");
    List<String> cmd = new ArrayList<>(List.of("umoci", "unpack", "--image", layout + ":1"));
    if (!"root".equals(System.getProperty("user.name"))) {
      cmd.add(3, "--rootless");
    }
    cmd.add(bundle.toString());
    Result unpack = run(dir, cmd.toArray(String[]::new));
    assertThat(unpack.code()).as(unpack.out()).isZero();
    assertThat(bundle.resolve("rootfs/hello.txt")).hasContent("hello from slimbuild\n");
  }

  @Test
  void skopeoReadsAMultiPlatformIndex() throws Exception {
    BlobStore store = new BlobStore(dir.resolve("store"));
    BuiltImage amd = TestImages.image(store, Platform.parse("linux/amd64"), Map.of("a", "amd"));
    BuiltImage arm = TestImages.image(store, Platform.parse("linux/arm64/v8"), Map.of("a", "arm"));
    ImageIndex idx = ImageIndex.assemble(store, List.of(amd, arm), Map.of());
    Path layout = dir.resolve("multi");
    OciLayoutWriter.write(store, idx, List.of(ImageReference.parse("app:multi")), layout);

    Result raw = run(dir, "skopeo", "inspect", "--raw", "oci:" + layout + ":multi");
    assertThat(raw.code()).as(raw.out()).isZero();
    assertThat(raw.out().trim()).isEqualTo(new String(idx.topBytes(), StandardCharsets.UTF_8));

    Result arm64 =
        run(
            dir,
            "skopeo",
            "--override-arch",
            "arm64",
            "--override-os",
            "linux",
            "inspect",
            "oci:" + layout + ":multi");
    assertThat(arm64.code()).as(arm64.out()).isZero();
    // skopeo reports the digest of what the name points at (the index) and the chosen
    // platform's layers.
    assertThat(arm64.out()).contains("\"Digest\": \"" + idx.index().digest() + "\"");
    assertThat(arm64.out()).contains(arm.layers().get(0).digest().toString());
    assertThat(arm64.out()).doesNotContain(amd.layers().get(0).digest().toString());
  }
}
