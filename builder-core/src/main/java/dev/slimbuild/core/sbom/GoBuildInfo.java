package dev.slimbuild.core.sbom;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The build information the Go linker embeds in a program (Go 1.18 and later), read from a stream
 * of the binary as {@code go version -m} prints it: the Go version, the main module and the
 * dependency modules with their versions.
 *
 * <p>The linker writes a 32-byte header at a 16-byte aligned offset (ELF section {@code
 * .go.buildinfo}): the magic {@code "\xff Go buildinf:"}, the pointer size, a flags byte whose bit
 * 2 says the strings follow inline, then the Go version and the module information as varint-length
 * strings; the module information is framed by two fixed 16-byte sentinels. Go's own reader finds
 * the section through the section headers, which sit at the end of the file; a stream cannot go
 * back, so this scans the aligned offsets for the magic and accepts a match only when everything
 * after it has that shape (the magic also occurs as data in programs that link {@code
 * debug/buildinfo}). Memory stays at a 64 KiB window plus the build information itself (at most
 * {@link #MAX_MODINFO} bytes). Go releases before 1.18 stored pointers instead of inline strings;
 * their binaries are not read (nothing is reported for them).
 */
final class GoBuildInfo {
  static final byte[] MAGIC = "\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1);
  private static final byte[] START = hex("3077af0c9274080241e1c107e6d618e6");
  private static final byte[] END = hex("f932433186182072008242104116d8f2");
  private static final int HEADER = 32;
  private static final int WINDOW = 64 * 1024;

  /** The largest module information read (a program with thousands of modules has ~200 KiB). */
  static final int MAX_MODINFO = 4 * 1024 * 1024;

  /** One module: path and version ({@code (devel)} for a main module built from a checkout). */
  record Module(String path, String version) {}

  /**
   * What a binary says about itself.
   *
   * @param goVersion e.g. {@code go1.23.12}
   * @param path the main package's import path, or null
   * @param main the main module, or null (a binary built outside module mode has none)
   * @param deps the dependency modules, replacements applied, in the binary's order
   */
  record Info(String goVersion, String path, Module main, List<Module> deps) {}

  private final InputStream in;
  private byte[] buf = new byte[WINDOW];
  private int len;
  private long bufOffset; // file offset of buf[0]
  private boolean eof;

  private GoBuildInfo(InputStream in) {
    this.in = in;
  }

  /** Reads {@code in} (a program) until its build information; null when it has none. */
  static Info read(InputStream in) throws IOException {
    return new GoBuildInfo(in).scan();
  }

  private Info scan() throws IOException {
    int p = 0;
    while (true) {
      if (p + HEADER > len) {
        if (eof) {
          return null;
        }
        compactAndFill(p);
        p = 0;
        continue;
      }
      if ((bufOffset + p) % 16 == 0 && buf[p] == MAGIC[0] && startsWith(p, MAGIC)) {
        Info info = parseAt(p);
        if (info != null) {
          return info;
        }
      }
      p += (int) (16 - (bufOffset + p) % 16);
    }
  }

  /** Parses the header at {@code p}; null when it is not real build information. */
  private Info parseAt(int p) throws IOException {
    int ptrSize = buf[p + 14];
    int flags = buf[p + 15];
    if ((ptrSize != 4 && ptrSize != 8) || (flags & 2) == 0) {
      return null;
    }
    int at = p + HEADER;
    long[] v = varint(at);
    if (v == null || v[0] < 2 || v[0] > 256) {
      return null;
    }
    at = (int) v[1];
    if (!available(at, (int) v[0])) {
      return null;
    }
    String goVersion = new String(buf, at, (int) v[0], StandardCharsets.UTF_8);
    if (!goVersion.startsWith("go") && !goVersion.startsWith("devel")) {
      return null;
    }
    at += (int) v[0];
    long[] m = varint(at);
    if (m == null || m[0] > MAX_MODINFO) {
      return null;
    }
    at = (int) m[1];
    int n = (int) m[0];
    if (!available(at, n)) {
      return null;
    }
    if (n == 0) {
      return new Info(goVersion, null, null, List.of());
    }
    if (n < START.length + END.length
        || !startsWith(at, START)
        || !Arrays.equals(buf, at + n - END.length, at + n, END, 0, END.length)) {
      return null;
    }
    String text =
        new String(buf, at + START.length, n - START.length - END.length, StandardCharsets.UTF_8);
    return parseModInfo(goVersion, text);
  }

  /**
   * The lines {@code go version -m} prints: {@code path}, {@code mod}, {@code dep}, {@code =>}
   * (replaces the module above) and {@code build}, tab-separated.
   */
  static Info parseModInfo(String goVersion, String text) {
    String path = null;
    Module main = null;
    List<Module> deps = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] f = line.split("\t", -1);
      if (f.length >= 2 && f[0].equals("path")) {
        path = f[1];
      } else if (f.length >= 3 && f[0].equals("mod")) {
        main = new Module(f[1], f[2]);
      } else if (f.length >= 3 && f[0].equals("dep")) {
        deps.add(new Module(f[1], f[2]));
      } else if (f.length >= 3 && f[0].equals("=>") && !deps.isEmpty()) {
        deps.set(deps.size() - 1, new Module(f[1], f[2]));
      }
    }
    return new Info(goVersion, path, main, List.copyOf(deps));
  }

  private long[] varint(int at) throws IOException {
    long x = 0;
    for (int shift = 0, i = 0; i < 10; i++, shift += 7) {
      if (!available(at + i, 1)) {
        return null;
      }
      int b = buf[at + i] & 0xff;
      x |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return new long[] {x, at + i + 1};
      }
    }
    return null;
  }

  /**
   * Whether {@code n} bytes from buffer index {@code at} are there: reads on, growing the window
   * (its content never moves while a header is parsed, so indexes stay valid).
   */
  private boolean available(int at, int n) throws IOException {
    while (at + n > len) {
      if (eof) {
        return false;
      }
      if (at + n > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length, at + n + WINDOW));
      }
      fill();
    }
    return true;
  }

  private void compactAndFill(int from) throws IOException {
    int keep = len - from;
    System.arraycopy(buf, from, buf, 0, keep);
    bufOffset += from;
    len = keep;
    if (buf.length > WINDOW && keep < WINDOW) {
      buf = Arrays.copyOf(buf, WINDOW);
    }
    fill();
  }

  private void fill() throws IOException {
    while (len < buf.length) {
      int r = in.read(buf, len, buf.length - len);
      if (r < 0) {
        eof = true;
        return;
      }
      len += r;
      if (r > 0) {
        return;
      }
    }
  }

  private boolean startsWith(int p, byte[] prefix) {
    return p + prefix.length <= len
        && Arrays.equals(buf, p, p + prefix.length, prefix, 0, prefix.length);
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }
}
