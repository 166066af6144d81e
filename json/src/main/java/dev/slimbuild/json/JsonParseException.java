package dev.slimbuild.json;

/** Text that is not valid JSON; the message names the byte offset. */
public final class JsonParseException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final int offset;

  JsonParseException(String message, int offset) {
    super("invalid JSON at offset " + offset + ": " + message);
    this.offset = offset;
  }

  /** The offset (in chars of the decoded text) where the problem was found. */
  public int offset() {
    return offset;
  }
}
