package dev.slimbuild.core.build;

import dev.slimbuild.core.dockerfile.Instruction;
import java.util.Locale;
import java.util.Set;

/** STOPSIGNAL values Linux knows: a name (with or without SIG) or a number 1–64. */
final class Signals {
  private static final Set<String> NAMES =
      Set.of(
          "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
          "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
          "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
          "RTMIN", "RTMAX");

  private Signals() {}

  static String check(String signal, Instruction where) {
    if (signal.matches("[0-9]{1,2}")) {
      int n = Integer.parseInt(signal);
      if (n >= 1 && n <= 64) {
        return signal;
      }
    } else {
      String name = signal.toUpperCase(Locale.ROOT);
      name = name.startsWith("SIG") ? name.substring(3) : name;
      if (NAMES.contains(name) || name.matches("RTM(IN|AX)[+-][0-9]{1,2}")) {
        return signal;
      }
    }
    throw where.location().error("invalid signal: " + signal);
  }
}
