package dev.slimbuild.core.run;

/** The network a RUN sees: the host's, or none at all (only a loopback interface). */
public enum Network {
  HOST,
  NONE
}
