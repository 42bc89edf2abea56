package io.conflux.helm;

import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * What an error about a YAML document may say when the document can hold secrets (values from a {@code valuesFrom}
 * Secret, a chart's rendered output): the parser's problem and its line and column, never the quoted snippet of the
 * input that snakeyaml puts in its exception message.
 */
final class YamlErrors {
  private YamlErrors() {}

  /**
   * @param e a failure of {@link Yaml#load} or {@link Yaml#loadAll}
   * @return e.g. {@code mapping values are not allowed here (line 3, column 9)}, or {@code not valid YAML} when the
   *     parser gave no position
   */
  static String describe(RuntimeException e) {
    if (e instanceof MarkedYamlEngineException m) {
      Mark mark = m.getProblemMark().orElse(m.getContextMark().orElse(null));
      String problem = m.getProblem() != null ? m.getProblem() : "not valid YAML";
      return mark == null ? problem : problem + " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1)
          + ")";
    }
    return "not valid YAML";
  }
}
