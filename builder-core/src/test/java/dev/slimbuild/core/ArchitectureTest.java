package dev.slimbuild.core;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The package graph of the modules on the class path (see ArchitectureRules): here json,
 * layer-compress, signing and builder-core; the CLI's test extends this one to check the same rules
 * with its own classes added. Public for that subclass.
 */
public class ArchitectureTest {
  /** The main classes of dev.slimbuild on the class path, imported once per test class. */
  protected static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = ArchitectureRules.mainClasses();
  }

  static Stream<ArchRule> rules() {
    return ArchitectureRules.ALL.stream();
  }

  @ParameterizedTest
  @MethodSource("dev.slimbuild.core.ArchitectureTest#rules")
  void holds(ArchRule rule) {
    rule.check(classes);
  }
}
