package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.AddInstruction;
import dev.slimbuild.core.dockerfile.ArgInstruction;
import dev.slimbuild.core.dockerfile.CmdInstruction;
import dev.slimbuild.core.dockerfile.CopyInstruction;
import dev.slimbuild.core.dockerfile.EntrypointInstruction;
import dev.slimbuild.core.dockerfile.EnvInstruction;
import dev.slimbuild.core.dockerfile.ExposeInstruction;
import dev.slimbuild.core.dockerfile.HealthcheckInstruction;
import dev.slimbuild.core.dockerfile.Instruction;
import dev.slimbuild.core.dockerfile.LabelInstruction;
import dev.slimbuild.core.dockerfile.MaintainerInstruction;
import dev.slimbuild.core.dockerfile.OnbuildInstruction;
import dev.slimbuild.core.dockerfile.RunInstruction;
import dev.slimbuild.core.dockerfile.ShellInstruction;
import dev.slimbuild.core.dockerfile.StopSignalInstruction;
import dev.slimbuild.core.dockerfile.UserInstruction;
import dev.slimbuild.core.dockerfile.VolumeInstruction;
import dev.slimbuild.core.dockerfile.WorkdirInstruction;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** The handler of each instruction a stage may hold (FROM starts the stage: {@link FromStep}). */
final class StepHandlers {
  /** A handler for any instruction: its own, given the instruction as its type. */
  @FunctionalInterface
  private interface Untyped {
    void plan(Instruction instruction, StageState state) throws IOException;
  }

  private static final Map<Class<? extends Instruction>, Untyped> HANDLERS = new HashMap<>();

  static {
    register(ArgInstruction.class, new ArgStep());
    register(EnvInstruction.class, new EnvStep());
    register(LabelInstruction.class, new LabelStep());
    register(WorkdirInstruction.class, new WorkdirStep());
    register(UserInstruction.class, new UserStep());
    register(ExposeInstruction.class, new ExposeStep());
    register(VolumeInstruction.class, new VolumeStep());
    register(CmdInstruction.class, new CmdStep());
    register(EntrypointInstruction.class, new EntrypointStep());
    register(ShellInstruction.class, new ShellStep());
    register(StopSignalInstruction.class, new StopSignalStep());
    register(HealthcheckInstruction.class, new HealthcheckStep());
    register(MaintainerInstruction.class, new MaintainerStep());
    register(CopyInstruction.class, new CopyStep());
    register(AddInstruction.class, new AddStep());
    register(RunInstruction.class, new RunPlanner());
    register(OnbuildInstruction.class, new OnbuildStep());
  }

  private StepHandlers() {}

  private static <I extends Instruction> void register(Class<I> type, StepHandler<I> handler) {
    HANDLERS.put(type, (ins, state) -> handler.plan(type.cast(ins), state));
  }

  /** Plans {@code ins} in {@code state} with its handler. */
  static void plan(Instruction ins, StageState state) throws IOException {
    Untyped handler = HANDLERS.get(ins.getClass());
    if (handler == null) {
      throw ins.location().error(ins.keyword() + " cannot appear inside a stage");
    }
    handler.plan(ins, state);
  }
}
