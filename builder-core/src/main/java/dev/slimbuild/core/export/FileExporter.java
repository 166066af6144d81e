package dev.slimbuild.core.export;

import dev.slimbuild.core.image.BuiltImage;
import dev.slimbuild.core.image.ImageOutput;
import dev.slimbuild.core.oci.ImageReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** {@code --metadata-file} and {@code --iidfile}: small files about the image, written last. */
final class FileExporter implements Exporter {
  /** Which file. */
  enum Kind {
    METADATA,
    IMAGE_ID
  }

  private final Kind kind;
  private final Path file;
  private final List<ImageReference> names;

  FileExporter(Kind kind, Path file, List<ImageReference> names) {
    this.kind = kind;
    this.file = file;
    this.names = List.copyOf(names);
  }

  @Override
  public String describe() {
    return (kind == Kind.METADATA ? "metadata" : "image ID") + " to " + file;
  }

  @Override
  public boolean needsLocalBlobs() {
    return false;
  }

  @Override
  public void check() {
    AtomicFile.checkFile(file, kind == Kind.METADATA ? "--metadata-file" : "--iidfile");
  }

  @Override
  public void export(ExportContext c) throws IOException {
    ImageOutput image = c.image(); // as pushed or written, attestations included
    byte[] bytes;
    if (kind == Kind.METADATA) {
      bytes = Metadata.metadata(image, names, c.result().sizeReports());
    } else {
      // as buildx: the config digest for one platform, the index's digest for several
      List<BuiltImage> images = image.images();
      String id =
          images.size() == 1
              ? images.get(0).manifest().value().config().digest().toString()
              : image.descriptor().digest().toString();
      bytes = id.getBytes(StandardCharsets.UTF_8);
    }
    AtomicFile.write(file, null, out -> out.write(bytes));
  }
}
