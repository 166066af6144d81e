package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.Instruction;
import java.io.IOException;

/**
 * Plans one kind of instruction in a stage: an instruction that only changes the config applies it
 * and adds its history entry at once; one that changes files computes its step's cache key from its
 * inputs and plans the {@link FsStep.Action} that makes its layer (see {@link
 * StageState#planFileStep}).
 */
@FunctionalInterface
interface StepHandler<I extends Instruction> {
  void plan(I instruction, StageState state) throws IOException;
}
