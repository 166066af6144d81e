package dev.slimbuild.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slimbuild.core.oci.Descriptor;
import dev.slimbuild.core.oci.ImageReference;
import dev.slimbuild.core.oci.Index;
import dev.slimbuild.core.oci.MediaType;
import dev.slimbuild.core.push.PushReport;
import dev.slimbuild.core.registry.FakeRegistry;
import dev.slimbuild.core.registry.Registry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link BusyboxBase} fixture is a real image: valid, readable by skopeo as two platforms, and
 * each platform's shell runs (amd64 under proot, arm64 under proot with qemu-aarch64-static).
 */
class BusyboxBaseIT {
  @TempDir Path dir;

  @Test
  void twoPlatformBusyboxRunsOnBothPlatforms() throws Exception {
    BlobStore store = new BlobStore(dir.resolve("store"));
    ImageIndex index = BusyboxBase.build(store);
    new ImageValidator(store).validate(index.descriptor());
    assertThat(index.images())
        .extracting(i -> i.platform().toString())
        .containsExactly("linux/amd64", "linux/arm64");
    for (BuiltImage i : index.images()) {
      assertThat(i.layers())
          .singleElement()
          .extracting(Descriptor::mediaType)
          .isEqualTo(MediaType.OCI_LAYER_TAR_GZIP);
      assertThat(i.config().value().config().cmd()).containsExactly("sh");
    }

    // cached: a second build gives the same image into another store
    BlobStore other = new BlobStore(dir.resolve("other"));
    assertThat(BusyboxBase.build(other).descriptor()).isEqualTo(index.descriptor());
    new ImageValidator(other).validate(index.descriptor());

    // pushed through the Pusher: two configs and two layers, then both manifests, then the tag
    FakeRegistry registry = new FakeRegistry("registry.test");
    PushReport pushed = BusyboxBase.push(registry, "base/busybox", "1");
    assertThat(pushed.descriptor()).isEqualTo(index.descriptor());
    assertThat(pushed.count(Registry.PushResult.UPLOADED)).isEqualTo(4);
    assertThat(registry.manifestPuts).hasSize(3).last().isEqualTo("base/busybox:1");
    assertThat(registry.getManifest("base/busybox", "1").bytes()).isEqualTo(index.topBytes());

    Path layout = dir.resolve("layout");
    OciLayoutWriter.write(store, index, List.of(ImageReference.parse("busybox:1")), layout);
    String raw =
        BusyboxBase.run(dir, List.of("skopeo", "inspect", "--raw", "oci:" + layout + ":1"));
    Index listed = Index.parse(raw.trim().getBytes(StandardCharsets.UTF_8));
    assertThat(listed.manifests())
        .extracting(m -> m.platform().toString())
        .containsExactly("linux/amd64", "linux/arm64");
    assertThat(listed.manifests())
        .extracting(Descriptor::digest)
        .containsExactly(
            index.images().get(0).manifest().digest(), index.images().get(1).manifest().digest());

    String proot = BusyboxBase.requireTool("proot", "proot");
    String qemu = BusyboxBase.requireTool("qemu-aarch64-static", "qemu-user-static");
    String script = "uname -m; id -u app; stat -c %a /tmp; ls -l /bin/sh";
    assertThat(runIn(store, index.images().get(0), List.of(proot), script))
        .startsWith("x86_64\n1000\n1777\n")
        .contains("/bin/sh -> /bin/busybox");
    assertThat(runIn(store, index.images().get(1), List.of(proot, "-q", qemu), script))
        .startsWith("aarch64\n1000\n1777\n");
  }

  /** Extracts the image's layer with GNU tar and runs {@code script} in it under proot. */
  private String runIn(BlobStore store, BuiltImage image, List<String> proot, String script)
      throws Exception {
    Path rootfs = dir.resolve("rootfs-" + image.platform().architecture());
    Files.createDirectories(rootfs);
    Path blob = store.path(image.layers().get(0).digest());
    BusyboxBase.run(dir, List.of("tar", "-xzf", blob.toString(), "-C", rootfs.toString()));
    List<String> cmd = new ArrayList<>(proot);
    cmd.addAll(List.of("-r", rootfs.toString(), "/bin/sh", "-c", script));
    return BusyboxBase.run(dir, cmd);
  }
}
