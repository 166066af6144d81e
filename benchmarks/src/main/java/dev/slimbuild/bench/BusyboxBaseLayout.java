package dev.slimbuild.bench;

import dev.slimbuild.core.image.BlobStore;
import dev.slimbuild.core.image.BusyboxBase;
import dev.slimbuild.core.image.ImageIndex;
import dev.slimbuild.core.image.OciLayoutWriter;
import dev.slimbuild.core.oci.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * Writes the two-platform busybox base image ({@link BusyboxBase}) as an OCI layout tagged {@code
 * 1}, for the push benchmark to copy into its registry. Usage: {@code BusyboxBaseLayout DIR}.
 */
public final class BusyboxBaseLayout {
  private BusyboxBaseLayout() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: BusyboxBaseLayout DIR");
      System.exit(2);
    }
    Path dest = Path.of(args[0]);
    Path tmp = Files.createTempDirectory("busybox-store-");
    BlobStore store = new BlobStore(tmp);
    ImageIndex index = BusyboxBase.build(store);
    OciLayoutWriter.write(store, index, List.of(ImageReference.parse("busybox:1")), dest);
    System.out.println(index.descriptor().digest());
    try (var walk = Files.walk(tmp)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
