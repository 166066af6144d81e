package dev.slimbuild.core.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The flags one instruction accepts, and their values once {@link #parse(List)} has checked the
 * words given (BuildKit's rules: {@code --name=value}; booleans also bare or {@code =true/false};
 * repeatable string lists; the first {@code --} ends the flags).
 */
final class Flags {
  private enum Kind {
    BOOL,
    STRING,
    STRINGS
  }

  private final String instruction;
  private final Map<String, Kind> kinds = new LinkedHashMap<>();
  private final Map<String, List<String>> values = new LinkedHashMap<>();

  Flags(String instruction) {
    this.instruction = instruction;
  }

  Flags bool(String name) {
    kinds.put(name, Kind.BOOL);
    return this;
  }

  Flags string(String name) {
    kinds.put(name, Kind.STRING);
    return this;
  }

  Flags strings(String name) {
    kinds.put(name, Kind.STRINGS);
    return this;
  }

  Flags parse(List<String> words) {
    for (String word : words) {
      if (word.equals("--")) {
        return this;
      }
      if (!word.startsWith("--")) {
        throw new SyntaxError("arg should start with -- : " + word);
      }
      int eq = word.indexOf('=');
      String flagName = eq < 0 ? word : word.substring(0, eq);
      String value = eq < 0 ? null : word.substring(eq + 1);
      String name = flagName.substring(2);
      Kind kind = kinds.get(name);
      if (kind == null) {
        String msg = "unknown flag for " + instruction + ": " + flagName;
        String suggestion = Text.suggest(name, kinds.keySet());
        if (suggestion != null) {
          msg += " (did you mean --" + suggestion + "?)";
        } else if (kinds.isEmpty()) {
          msg += " (" + instruction + " takes no flags)";
        }
        throw new SyntaxError(msg);
      }
      if (values.containsKey(name) && kind != Kind.STRINGS) {
        throw new SyntaxError("duplicate flag specified: " + flagName);
      }
      switch (kind) {
        case BOOL -> {
          if (value != null && value.isEmpty()) {
            throw new SyntaxError("missing a value on flag: " + flagName);
          }
          String v = value == null ? "true" : value.toLowerCase(Locale.ROOT);
          if (!v.equals("true") && !v.equals("false")) {
            throw new SyntaxError(
                "expecting boolean value for flag " + flagName + ", not: " + value);
          }
          values.put(name, List.of(v));
        }
        case STRING, STRINGS -> {
          if (value == null) {
            throw new SyntaxError("missing a value on flag: " + flagName);
          }
          values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
      }
    }
    return this;
  }

  Optional<String> stringValue(String name) {
    List<String> v = values.get(name);
    return v == null ? Optional.empty() : Optional.of(v.get(0));
  }

  List<String> stringValues(String name) {
    return List.copyOf(values.getOrDefault(name, List.of()));
  }

  boolean isTrue(String name) {
    return values.getOrDefault(name, List.of("false")).get(0).equals("true");
  }

  Optional<Boolean> boolIfGiven(String name) {
    List<String> v = values.get(name);
    return v == null ? Optional.empty() : Optional.of(v.get(0).equals("true"));
  }
}
