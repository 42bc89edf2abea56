package io.conflux.kustomize;

import io.conflux.kustomize.yaml.KYaml;
import java.util.List;
import java.util.Map;

/** Compares two object streams as data, in order; describes the first difference. */
final class Compare {
  private Compare() {}

  /** Null when equal, otherwise a description of the first difference. */
  static String difference(List<Map<String, Object>> expected, List<Map<String, Object>> actual) {
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      if (!expected.get(i).equals(actual.get(i))) {
        return "document " + (i + 1) + " differs (" + id(expected.get(i)) + " vs " + id(actual.get(i)) + ")\n"
            + "--- expected\n" + KYaml.dump(expected.get(i)) + "--- actual\n" + KYaml.dump(actual.get(i));
      }
    }
    if (expected.size() != actual.size()) {
      return "expected " + expected.size() + " documents, got " + actual.size() + "\n--- expected\n"
          + KYaml.dumpAll(expected) + "--- actual\n" + KYaml.dumpAll(actual);
    }
    return null;
  }

  private static String id(Map<String, Object> o) {
    Object meta = o.get("metadata");
    Object name = meta instanceof Map<?, ?> m ? m.get("name") : null;
    return o.get("kind") + "/" + name;
  }
}
