package dev.slimbuild.core.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutations of the corpus: whatever the text, parsing either succeeds or throws {@link
 * DockerfileException}; no other exception may escape.
 */
class MutationTest {
  private static final long SEED = 0x5eed_d0c;
  private static final int MUTANTS = 5000;
  private static final String[] TOKENS = {
    "\\",
    "\"",
    "'",
    "[",
    "]",
    "$",
    "{",
    "}",
    "<<",
    "<<-",
    "\n",
    "--",
    "`",
    "=",
    " ",
    "\t",
    "#",
    "\r\n",
    "\\\n",
    "<<EOF\n",
    "EOF",
    "--from=0",
    "--mount=from=x",
    "# escape=`\n",
    "ONBUILD ",
    "AS x",
    ",",
    ":",
    "-",
    "\uFEFF",
    "\u00a0",
    "\uD83D\uDE00",
    "\uD83D"
  };

  @Test
  void onlyDockerfileExceptionsEscape() {
    List<String> corpus = new ArrayList<>();
    for (Path dir : DockerfileCorpus.positive()) {
      corpus.add(DockerfileCorpus.read(dir, "Dockerfile"));
    }
    for (Path dir : DockerfileCorpus.negative()) {
      corpus.add(DockerfileCorpus.read(dir, "Dockerfile"));
    }
    Random random = new Random(SEED);
    int parsed = 0;
    int rejected = 0;
    for (int i = 0; i < MUTANTS; i++) {
      String text = corpus.get(random.nextInt(corpus.size()));
      if (random.nextBoolean() && !text.startsWith("FROM")) {
        text = "FROM base AS first\n" + text;
      }
      int rounds = 1 + random.nextInt(8);
      for (int r = 0; r < rounds; r++) {
        text = mutate(text, random);
      }
      try {
        Dockerfile df = DockerfileParser.parse(text, "Dockerfile");
        assertThat(df.dump()).isNotNull();
        parsed++;
      } catch (DockerfileException e) {
        assertThat(e.getMessage()).startsWith("Dockerfile:" + e.line() + ": ");
        assertThat(e.line()).isPositive();
        rejected++;
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError("mutant " + i + " escaped with " + e + ":\n" + text, e);
      }
    }
    assertThat(parsed).as("some mutants still parse").isGreaterThan(100);
    assertThat(rejected).as("some mutants are rejected").isGreaterThan(100);
  }

  private static String mutate(String text, Random random) {
    int pos = text.isEmpty() ? 0 : random.nextInt(text.length() + 1);
    switch (random.nextInt(6)) {
      case 0 -> {
        return text.substring(0, pos) + TOKENS[random.nextInt(TOKENS.length)] + text.substring(pos);
      }
      case 1 -> {
        int end = Math.min(text.length(), pos + 1 + random.nextInt(4));
        return text.substring(0, pos) + text.substring(end);
      }
      case 2 -> {
        int end = Math.min(text.length(), pos + 1 + random.nextInt(12));
        return text.substring(0, end) + text.substring(pos, end) + text.substring(end);
      }
      case 3 -> {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        if (lines.size() > 1) {
          int a = random.nextInt(lines.size());
          int b = random.nextInt(lines.size());
          String t = lines.get(a);
          lines.set(a, lines.get(b));
          lines.set(b, t);
        }
        return String.join("\n", lines);
      }
      case 4 -> {
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        lines.remove(random.nextInt(lines.size()));
        return String.join("\n", lines);
      }
      default -> {
        String token = TOKENS[random.nextInt(TOKENS.length)];
        int at = text.indexOf(token.isEmpty() ? " " : token.substring(0, 1), pos);
        return at < 0 ? text : text.substring(0, at) + text.substring(at + 1);
      }
    }
  }
}
