package io.conflux.kustomize.yaml;

import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * YAML input that exceeds one of the {@link YamlBounds}: too large, too many documents, nested too deep, or
 * aliases that expand too much ({@code excessive aliasing}, as go-yaml says). A {@link MarkedYamlEngineException},
 * so callers that already turn SnakeYAML's syntax errors into {@code file:line:column: problem} report these the
 * same way; the problem names the bound, never the input's values.
 */
public final class YamlBoundException extends MarkedYamlEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * @param problem what was exceeded, e.g. {@code excessive aliasing: ...}
   * @param mark    where in the input, when known
   */
  public YamlBoundException(String problem, Optional<Mark> mark) {
    super(null, Optional.empty(), problem, mark);
  }
}
