package dev.slimbuild.core.dockerfile;

/**
 * One Dockerfile instruction, typed. Arguments are raw: variables are not expanded and quotes are
 * kept where BuildKit keeps them; expansion happens when the build plan is made.
 */
public sealed interface Instruction
    permits AddInstruction,
        ArgInstruction,
        CmdInstruction,
        CopyInstruction,
        EntrypointInstruction,
        EnvInstruction,
        ExposeInstruction,
        FromInstruction,
        HealthcheckInstruction,
        LabelInstruction,
        MaintainerInstruction,
        OnbuildInstruction,
        RunInstruction,
        ShellInstruction,
        StopSignalInstruction,
        UserInstruction,
        VolumeInstruction,
        WorkdirInstruction {

  /** Where the instruction is written. */
  Location location();

  /** The instruction keyword in upper case, e.g. {@code COPY}. */
  String keyword();
}
