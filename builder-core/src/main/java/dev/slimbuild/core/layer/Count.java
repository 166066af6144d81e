package dev.slimbuild.core.layer;

/** A number of files and their bytes. */
public record Count(long files, long bytes) {
  /** Nothing. */
  public static final Count ZERO = new Count(0, 0);

  /** The sum of both. */
  public Count plus(Count o) {
    return new Count(files + o.files, bytes + o.bytes);
  }

  /** One more file of {@code size} bytes. */
  public Count add(long size) {
    return new Count(files + 1, bytes + size);
  }
}
