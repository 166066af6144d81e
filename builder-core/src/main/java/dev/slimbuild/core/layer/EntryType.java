package dev.slimbuild.core.layer;

/** What a {@link LayerEntry} is. WHITEOUT and OPAQUE are the OCI deletion markers. */
public enum EntryType {
  FILE,
  DIRECTORY,
  SYMLINK,
  HARDLINK,
  /** Deletes {@code path} from lower layers ({@code .wh.NAME}). */
  WHITEOUT,
  /** Hides every lower-layer child of the directory {@code path} ({@code DIR/.wh..wh..opq}). */
  OPAQUE
}
