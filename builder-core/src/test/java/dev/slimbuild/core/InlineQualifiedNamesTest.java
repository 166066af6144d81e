package dev.slimbuild.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No inline fully-qualified class names in the repository's Java sources: they hide a file's
 * dependencies from its import list. A qualified name is allowed only where the simple name would
 * clash: another import, a type the file declares, or a type of the file's own package with that
 * name. Comments and string literals are not code and are not read.
 */
class InlineQualifiedNamesTest {
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package ([\\w.]+);");
  private static final Pattern IMPORT =
      Pattern.compile("(?m)^import (?:static )?([\\w.]+)\\.(\\w+);");
  private static final Pattern DECLARED =
      Pattern.compile("\\b(?:class|interface|record|enum)\\s+(\\w+)");
  private static final Pattern QUALIFIED =
      Pattern.compile(
          "(?<![\\w.])((?:java|javax|jdk|dev|org|com|picocli)\\.(?:[a-z0-9_]+\\.)*)([A-Z]\\w*)");

  /** Directories that hold no source of ours: not walked. */
  private static final Set<String> SKIPPED = Set.of(".git", "target", "node_modules");

  @Test
  void sourcesImportWhatTheyUse() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent(); // builder-core's parent: the repository
    assertThat(root.resolve("pom.xml")).exists();
    List<Path> sources = new ArrayList<>();
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
            return SKIPPED.contains(name) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (file.toString().endsWith(".java") && file.toString().contains("/src/")) {
              sources.add(file);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    assertThat(sources).hasSizeGreaterThan(100);
    Map<String, Set<String>> typesByPackage = new HashMap<>();
    Map<Path, String> code = new HashMap<>();
    for (Path p : sources) {
      String text = withoutCommentsAndStrings(Files.readString(p, StandardCharsets.UTF_8));
      code.put(p, text);
      String name = p.getFileName().toString();
      typesByPackage
          .computeIfAbsent(packageOf(text), k -> new HashSet<>())
          .add(name.substring(0, name.length() - ".java".length()));
    }
    List<String> found = new ArrayList<>();
    for (Path p : sources) {
      found.addAll(inlineNames(root.relativize(p), code.get(p), typesByPackage));
    }
    assertThat(found).as("inline fully-qualified names that an import would replace").isEmpty();
  }

  @Test
  void findsAnInlineNameAndAllowsAClash() {
    String file =
        "package a.b;\nimport x.y.Thing;\nclass C {\n"
            + "  java.util.List<String> l = new java.util.ArrayList<>();\n"
            + "  z.q.Thing t; // another Thing than the imported one: kept\n"
            + "  com.other.Thing u;\n"
            + "  String s = \"java.util.Map in a string\";\n}\n";
    List<String> found = inlineNames(Path.of("C.java"), withoutCommentsAndStrings(file), Map.of());
    assertThat(found).containsExactly("C.java: java.util.List", "C.java: java.util.ArrayList");
  }

  private static List<String> inlineNames(
      Path file, String code, Map<String, Set<String>> typesByPackage) {
    String pkg = packageOf(code);
    Map<String, String> imports = new HashMap<>();
    Matcher im = IMPORT.matcher(code);
    int bodyStart = 0;
    while (im.find()) {
      imports.put(im.group(2), im.group(1) + "." + im.group(2));
      bodyStart = im.end();
    }
    String body = code.substring(bodyStart);
    Set<String> declared = new HashSet<>();
    Matcher dm = DECLARED.matcher(body);
    while (dm.find()) {
      declared.add(dm.group(1));
    }
    Set<String> samePackage = typesByPackage.getOrDefault(pkg, Set.of());
    List<String> found = new ArrayList<>();
    Matcher q = QUALIFIED.matcher(body);
    while (q.find()) {
      String qualifier = q.group(1).substring(0, q.group(1).length() - 1);
      String name = q.group(2);
      String full = qualifier + "." + name;
      boolean clash =
          (imports.containsKey(name) && !imports.get(name).equals(full))
              || declared.contains(name)
              || (samePackage.contains(name) && !qualifier.equals(pkg));
      if (!clash) {
        found.add(file + ": " + full);
      }
    }
    return found;
  }

  private static String packageOf(String code) {
    Matcher m = PACKAGE.matcher(code);
    return m.find() ? m.group(1) : "";
  }

  /** The code with comments, string and character literals and text blocks blanked. */
  static String withoutCommentsAndStrings(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (s.startsWith("//", i)) {
        int end = s.indexOf('\n', i);
        i = end < 0 ? s.length() : end;
      } else if (s.startsWith("/*", i)) {
        int end = s.indexOf("*/", i + 2);
        i = end < 0 ? s.length() : end + 2;
        out.append(' ');
      } else if (s.startsWith("\"\"\"", i)) {
        int end = s.indexOf("\"\"\"", i + 3);
        i = end < 0 ? s.length() : end + 3;
        out.append("\"\"");
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != c && s.charAt(j) != '\n') {
          j += s.charAt(j) == '\\' ? 2 : 1;
        }
        i = Math.min(j + 1, s.length());
        out.append(c).append(c);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }
}
