package io.conflux.kustomize.yaml;

import io.conflux.kustomize.KustomizeException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Refuses a resource file whose mappings repeat a key, as {@code kustomize build} does: resources are decoded by
 * go-yaml v3, which fails with {@code line 8: mapping key "a" already defined at line 6} instead of keeping one of
 * the values (kustomize's api/resource/factory.go decodes each document into a map). Kustomization files and
 * patches are not checked: kustomize accepts repeated keys there.
 *
 * <p>Works on the composed node graph, so an alias is one shared node and each mapping is visited once (linear in
 * the number of nodes, never expanding aliases); iterative, so nesting depth costs no stack. Callers parse the text
 * with {@link KYaml} first, whose bounds and syntax errors come first.
 */
public final class DuplicateKeys {
  private DuplicateKeys() {}

  /**
   * Checks every mapping of every document of {@code text}.
   *
   * @param text     the YAML stream, already parsed successfully by {@link KYaml#parseAll}
   * @param fileName the name used in the message, e.g. {@code base/web-server.yaml}
   * @param file     the file, recorded in the exception (may be null)
   * @throws KustomizeException {@code fileName:LINE: mapping key "KEY" already defined at line FIRST} (1-based
   *     lines); the message names the key, never a value
   */
  public static void check(String text, String fileName, Path file) {
    // The same bounds as KYaml's parse, which already accepted the text, and the same checks for interruption.
    LoadSettings settings = YamlBounds.MANIFESTS.settings(fileName)
        .setAllowDuplicateKeys(true)
        .build();
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Node> todo = new ArrayDeque<>();
    for (Node doc : YamlBounds.MANIFESTS.composeAll(settings, text)) {
      todo.push(doc);
      while (!todo.isEmpty()) {
        Node n = todo.pop();
        if (!seen.add(n)) {
          continue;
        }
        if (n instanceof MappingNode m) {
          checkMapping(m, fileName, file);
          for (NodeTuple t : m.getValue()) {
            todo.push(t.getKeyNode());
            todo.push(t.getValueNode());
          }
        } else if (n instanceof SequenceNode s) {
          s.getValue().forEach(todo::push);
        }
      }
    }
  }

  private static void checkMapping(MappingNode m, String fileName, Path file) {
    Map<String, Integer> firstLine = new HashMap<>();
    for (NodeTuple t : m.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode key) || "<<".equals(key.getValue())) {
        continue;
      }
      int line = key.getStartMark().map(mark -> mark.getLine() + 1).orElse(-1);
      Integer first = firstLine.putIfAbsent(key.getValue(), line);
      if (first != null) {
        throw new KustomizeException(fileName + ":" + line + ": mapping key \"" + key.getValue()
            + "\" already defined at line " + first, file, line, null);
      }
    }
  }
}
