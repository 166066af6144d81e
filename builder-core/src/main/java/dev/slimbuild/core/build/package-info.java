/**
 * The build executor: runs a plan's stages instruction by instruction into layers and configs.
 *
 * <p>{@code StageExecutor} runs one stage. {@code FromStep} starts it; then each instruction is
 * planned by its own handler, found by its class in {@code StepHandlers} ({@code ArgStep}, {@code
 * EnvStep}, ..., {@code CopyStep}, {@code AddStep}, {@code RunPlanner}, {@code OnbuildStep}),
 * against the stage's {@code StageState}. Config instructions apply at once; file steps get their
 * cache key from their inputs and an action that runs (RUN through {@code RunStep}) unless the
 * cache serves the step or the whole stage.
 */
package dev.slimbuild.core.build;
