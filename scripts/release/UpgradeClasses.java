import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * {@code java UpgradeClasses.java IN OUT} (JDK 24 or later: the class-file API): a copy of the jar
 * IN in which every class file older than Java 6 (major version below 50) is Java 8's (52), its
 * methods given the stack-map frames that version needs; every other entry is copied as it is, in
 * IN's order with IN's names, times and extra fields, so the same IN gives the same OUT.
 *
 * <p>Why: picocli is compiled for Java 5, and neither a CDS archive nor JDK 25's AOT cache holds
 * classes that old, so every run of the release loaded and verified about 180 of them from the jar
 * (most of the 0.2 s between {@code main} and the command's start in an all-cached build). The
 * bytecode is unchanged; only the version and the frames the verifier of the newer version reads
 * are added. The release checks the result by running its training and ReleaseIT's builds on it.
 */
public final class UpgradeClasses {
  private static final int JAVA_6 = 50;
  private static final int JAVA_8 = 52;

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: java UpgradeClasses.java IN.jar OUT.jar");
      System.exit(2);
    }
    Path in = Path.of(args[0]);
    Path out = Path.of(args[1]);
    int upgraded = 0;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {in.toUri().toURL()}, null);
        ZipFile zip = new ZipFile(in.toFile());
        OutputStream os = new BufferedOutputStream(Files.newOutputStream(out));
        ZipOutputStream zos = new ZipOutputStream(os)) {
      // frames need the class hierarchy: the JDK's, then the jar's own classes
      ClassFile cf = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
          ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
              .orElse(ClassHierarchyResolver.ofClassLoading(loader))));
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        byte[] bytes;
        try (InputStream is = zip.getInputStream(e)) {
          bytes = is.readAllBytes();
        }
        if (!e.isDirectory() && e.getName().endsWith(".class")
            && !e.getName().startsWith("META-INF/versions/")) {
          ClassModel cm = cf.parse(bytes);
          if (cm.majorVersion() < JAVA_6) {
            bytes = cf.transformClass(cm, ClassTransform.transformingMethodBodies(
                CodeTransform.ACCEPT_ALL).andThen((b, el) -> {
                  if (el instanceof java.lang.classfile.ClassFileVersion) {
                    b.withVersion(JAVA_8, 0);
                  } else {
                    b.with(el);
                  }
                }));
            upgraded++;
          }
        }
        ZipEntry copy = new ZipEntry(e.getName());
        copy.setTime(e.getTime());
        if (e.getExtra() != null) {
          copy.setExtra(e.getExtra());
        }
        copy.setMethod(e.getMethod());
        if (e.getMethod() == ZipEntry.STORED) {
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(bytes);
          copy.setSize(bytes.length);
          copy.setCompressedSize(bytes.length);
          copy.setCrc(crc.getValue());
        }
        zos.putNextEntry(copy);
        zos.write(bytes);
        zos.closeEntry();
      }
    }
    System.err.println("UpgradeClasses: " + upgraded + " class files made Java 8's");
  }
}
