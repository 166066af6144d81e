package dev.slimbuild.core.build;

import dev.slimbuild.core.context.BuildContext;
import dev.slimbuild.core.oci.Platform;
import java.nio.file.Path;

/**
 * What a stage's steps read besides the stage itself, the same for all of its steps: the build
 * context, the staging directory, the content digests of context files, ADD's downloads, the stages
 * and images {@code --from} names, RUN's support, the stage's platform and name, the Dockerfile's
 * escape character, and where the running step's output goes.
 */
record StageInputs(
    BuildContext context,
    Path staging,
    ContentDigests digests,
    StageExecutor.Downloads downloads,
    StageSources sources,
    RunSupport runs,
    Platform platform,
    String stageName,
    char escape,
    StepLog log) {}
