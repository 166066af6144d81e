package dev.slimbuild.core.sbom;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The Maven artifacts a jar (or war, ear, ...) says it holds: each {@code
 * META-INF/maven/GROUP/ARTIFACT/pom.properties}, also inside jars nested in it (Spring Boot's
 * {@code BOOT-INF/lib}, a war's {@code WEB-INF/lib}), read entry by entry from a stream with {@link
 * ZipInputStream}: only the small properties files are held in memory.
 */
final class Jars {
  private static final Pattern POM_PROPERTIES =
      Pattern.compile("META-INF/maven/[^/]+/[^/]+/pom\\.properties");
  private static final int MAX_PROPERTIES = 64 * 1024;
  private static final int MAX_DEPTH = 3;

  /** One artifact and the archive it was found in ({@code a.jar!/BOOT-INF/lib/b.jar}). */
  record Artifact(String group, String artifact, String version, String location) {}

  private Jars() {}

  /** Whether a file of that name is read as a Java archive. */
  static boolean isArchive(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    return p.endsWith(".jar")
        || p.endsWith(".war")
        || p.endsWith(".ear")
        || p.endsWith(".jpi")
        || p.endsWith(".hpi")
        || p.endsWith(".par")
        || p.endsWith(".sar")
        || p.endsWith(".nar")
        || p.endsWith(".kar");
  }

  /**
   * The artifacts of the archive {@code in} found at {@code location}. A {@link
   * java.util.zip.ZipException} means the archive is damaged (or not a zip): the caller skips it.
   */
  static List<Artifact> read(InputStream in, String location) throws IOException {
    List<Artifact> out = new ArrayList<>();
    read(in, location, 0, out);
    return out;
  }

  private static void read(InputStream in, String location, int depth, List<Artifact> out)
      throws IOException {
    ZipInputStream zip = new ZipInputStream(in);
    for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
      String name = e.getName();
      if (e.isDirectory()) {
        continue;
      }
      if (POM_PROPERTIES.matcher(name).matches()) {
        byte[] bytes = zip.readNBytes(MAX_PROPERTIES + 1);
        if (bytes.length <= MAX_PROPERTIES) {
          Properties p = new Properties();
          p.load(new ByteArrayInputStream(bytes));
          String g = p.getProperty("groupId");
          String a = p.getProperty("artifactId");
          String v = p.getProperty("version");
          if (present(g) && present(a)) {
            out.add(new Artifact(g.strip(), a.strip(), present(v) ? v.strip() : null, location));
          }
        }
      } else if (depth < MAX_DEPTH && isArchive(name)) {
        read(new NoClose(zip), location + "!/" + name, depth + 1, out);
      }
    }
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }

  /** The outer zip stream as a nested archive's input: closing the inner one leaves it open. */
  private static final class NoClose extends FilterInputStream {
    NoClose(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
