package dev.slimbuild.core.dockerfile;

import dev.slimbuild.core.SlimbuildException;

/** A Dockerfile the parser rejects; the message reads {@code Dockerfile:12: text}. */
public final class DockerfileException extends SlimbuildException {
  private static final long serialVersionUID = 1L;

  private final String fileName;
  private final int line;
  private final int endLine;
  private final String detail;

  /** An error on lines {@code line}..{@code endLine} (1-based) of {@code fileName}. */
  DockerfileException(String fileName, int line, int endLine, String detail) {
    super(fileName + ":" + line + ": " + detail);
    this.fileName = fileName;
    this.line = line;
    this.endLine = Math.max(line, endLine);
    this.detail = detail;
  }

  /** The file name as shown to the user. */
  public String fileName() {
    return fileName;
  }

  /** The first line (1-based) of the offending instruction. */
  public int line() {
    return line;
  }

  /** The last line (1-based) of the offending instruction. */
  public int endLine() {
    return endLine;
  }

  /** The message without the {@code NAME:LINE: } prefix. */
  public String detail() {
    return detail;
  }
}
