package dev.slimbuild.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package graph, pinned: the Dockerfile front end does no I/O, third-party libraries stay
 * behind the packages that wrap them, nothing reaches up into the CLI, and the core's packages
 * depend on each other one way.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    // main classes only: not this module's tests, nor builder-core's test jar
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.contains("-tests.jar"))
        .importPackages("dev.slimbuild");
  }

  @Test
  void theFrontEndDoesNoIo() {
    noClasses().that().resideInAnyPackage("dev.slimbuild.core.dockerfile..",
            "dev.slimbuild.core.plan..")
        .should().dependOnClassesThat().resideInAnyPackage("java.nio.file..", "java.net..")
        .because("parsing and planning read no file and no network: the builder hands them text")
        .check(classes);
  }

  @Test
  void jibStaysInTheRegistryPackage() {
    noClasses().that().resideOutsideOfPackage("dev.slimbuild.core.registry..")
        .should().dependOnClassesThat().resideInAPackage("com.google.cloud.tools.jib..")
        .check(classes);
  }

  @Test
  void bouncyCastleStaysInSigning() {
    noClasses().that().resideOutsideOfPackage("dev.slimbuild.signing..")
        .should().dependOnClassesThat().resideInAPackage("org.bouncycastle..")
        .check(classes);
  }

  @Test
  void cycloneDxAndPackageUrlsStayInTheSbomPackage() {
    noClasses().that().resideOutsideOfPackage("dev.slimbuild.core.sbom..")
        .should().dependOnClassesThat().resideInAnyPackage("org.cyclonedx..",
            "com.github.packageurl..")
        .check(classes);
  }

  @Test
  void nothingReachesIntoTheCli() {
    noClasses().that().resideOutsideOfPackage("dev.slimbuild.cli..")
        .should().dependOnClassesThat().resideInAPackage("dev.slimbuild.cli..")
        .check(classes);
  }

  @Test
  void theCacheIsBelowTheBuilder() {
    noClasses().that().resideInAPackage("dev.slimbuild.core.cache..")
        .should().dependOnClassesThat().resideInAPackage("dev.slimbuild.core.build..")
        .check(classes);
  }

  @Test
  void corePackagesHaveNoCycles() {
    slices().matching("dev.slimbuild.core.(*)..").should().beFreeOfCycles().check(classes);
  }
}
