package dev.slimbuild.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package graph with the CLI on top: builder-core's rules (inherited) hold for the CLI's
 * classes too, and nothing reaches up into the CLI.
 */
class ArchitectureTest extends dev.slimbuild.core.ArchitectureTest {

  @Test
  void nothingReachesIntoTheCli() {
    // builder-core cannot compile against the CLI (Maven's module order); this also covers
    // anything added to the CLI module outside its package.
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.slimbuild.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.slimbuild.cli..")
        .check(classes);
  }

  /**
   * Package-private by default: a public type of ours must be named by some class of another
   * package (main code, the CLI's tests or builder-core's test jar); one that nothing outside its
   * package uses says less than it seems and hides what the package really offers. Entry points
   * that are started by name (main methods) are exempt.
   */
  @Test
  void publicTypesAreUsedOutsideTheirPackage() {
    JavaClasses withTests =
        new ClassFileImporter()
            .withImportOption(location -> !location.contains("/benchmarks/"))
            .importPackages("dev.slimbuild");
    classes()
        .that()
        .arePublic()
        .and()
        .areTopLevelClasses()
        .and(mainCode())
        .should(beUsedFromAnotherPackage())
        .check(withTests);
  }

  private static DescribedPredicate<JavaClass> mainCode() {
    return DescribedPredicate.describe(
        "main code",
        c ->
            c.getSource()
                .map(s -> s.getUri().toString())
                .filter(u -> !u.contains("/test-classes/") && !u.contains("-tests.jar"))
                .isPresent());
  }

  private static ArchCondition<JavaClass> beUsedFromAnotherPackage() {
    return new ArchCondition<>("be used from another package") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        boolean entryPoint =
            c.getMethods().stream()
                .anyMatch(
                    m ->
                        m.getName().equals("main")
                            && m.getModifiers().contains(JavaModifier.STATIC));
        boolean used =
            c.getDirectDependenciesToSelf().stream()
                .anyMatch(d -> !d.getOriginClass().getPackageName().equals(c.getPackageName()));
        // part of a public type's public methods: what another package's lambda implements or a
        // caller's `var` holds leaves no dependency in the class files that ArchUnit reads
        boolean inPublicSignature =
            Stream.concat(
                    c.getMethodsWithParameterTypeOfSelf().stream(),
                    c.getMethodsWithReturnTypeOfSelf().stream())
                .anyMatch(
                    m ->
                        m.getModifiers().contains(JavaModifier.PUBLIC)
                            && m.getOwner().getModifiers().contains(JavaModifier.PUBLIC)
                            && !m.getOwner().equals(c));
        if (!entryPoint && !used && !inPublicSignature) {
          events.add(
              SimpleConditionEvent.violated(
                  c,
                  c.getName()
                      + " is public, but nothing outside "
                      + c.getPackageName()
                      + " uses it: make it package-private"));
        }
      }
    };
  }
}
