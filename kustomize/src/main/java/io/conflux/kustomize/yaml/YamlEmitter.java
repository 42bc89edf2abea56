package io.conflux.kustomize.yaml;

import io.conflux.kustomize.internal.JsonTrees;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes JSON-compatible trees as block YAML the way kustomize prints them (sigs.k8s.io/yaml over
 * go-yaml v2): keys sorted, 2-space indent, sequences not indented under their key, strings quoted
 * only when a plain scalar would read back as something else.
 */
final class YamlEmitter {
  private static final Pattern INT = Pattern.compile("[-+]?(0|[1-9][0-9_]*|0[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)");
  private static final Pattern FLOAT =
      Pattern.compile("[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?");
  private static final Pattern SPECIAL_FLOAT =
      Pattern.compile("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  private static final Pattern BASE60 = Pattern.compile("[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?");
  private static final Pattern TIMESTAMP =
      Pattern.compile("[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]+[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]*)?"
          + "\\s*(Z|[-+][0-9]{1,2}(:[0-9]{2})?)?)?");
  private static final java.util.Set<String> RESERVED = java.util.Set.of(
      "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
      "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "");

  private final StringBuilder out = new StringBuilder();

  static String document(Map<String, Object> doc) {
    YamlEmitter e = new YamlEmitter();
    if (doc.isEmpty()) {
      return "{}\n";
    }
    e.writeMap(doc, 0);
    return e.out.toString();
  }

  private void writeMap(Map<?, ?> map, int indent) {
    boolean first = true;
    for (String key : sortedKeys(map)) {
      if (!first) {
        indent(indent);
      }
      first = false;
      out.append(scalarString(key, true)).append(':');
      writeValue(map.get(key), indent, false);
    }
  }

  /** Writes a value after "key:" (or after "- " when inSequence), then a newline. */
  private void writeValue(Object value, int indent, boolean inSequence) {
    if (value instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        out.append(inSequence ? "{}\n" : " {}\n");
      } else if (inSequence) {
        writeMap(m, indent);
      } else {
        out.append('\n');
        indent(indent + 2);
        writeMap(m, indent + 2);
      }
    } else if (value instanceof List<?> l) {
      if (l.isEmpty()) {
        out.append(inSequence ? "[]\n" : " []\n");
      } else {
        if (!inSequence) {
          out.append('\n');
          indent(indent);
        }
        writeList(l, indent);
      }
    } else {
      if (!inSequence) {
        out.append(' ');
      }
      writeScalar(value, inSequence ? indent : indent + 2);
    }
  }

  private void writeList(List<?> list, int indent) {
    boolean first = true;
    for (Object item : list) {
      if (!first) {
        indent(indent);
      }
      first = false;
      out.append("- ");
      writeValue(item, indent + 2, true);
    }
  }

  /** Writes a scalar at the current column; {@code cont} is the indent of continuation lines. */
  private void writeScalar(Object value, int cont) {
    if (value instanceof String s) {
      if (s.indexOf('\n') >= 0 && literalAllowed(s)) {
        writeLiteral(s, cont);
        return;
      }
      writeFolded(scalarString(s, false), cont);
      out.append('\n');
    } else {
      out.append(JsonTrees.scalarText(value)).append('\n');
    }
  }

  /**
   * Appends a rendered plain, single- or double-quoted scalar, breaking lines at spaces once the
   * column passes 80, as go-yaml v2's emitter does (best_width 80).
   */
  private void writeFolded(String rendered, int cont) {
    char style = rendered.isEmpty() ? 'p' : rendered.charAt(0) == '"' ? 'd' : rendered.charAt(0) == '\'' ? 's' : 'p';
    int lineStart = out.lastIndexOf("\n") + 1;
    int column = out.length() - lineStart;
    boolean spaces = false;
    int first = style == 'p' ? 0 : 1;
    int last = style == 'p' ? rendered.length() : rendered.length() - 1;
    for (int i = 0; i < rendered.length(); i++) {
      char c = rendered.charAt(i);
      boolean inside = i >= first && i < last;
      if (inside && c == ' ') {
        boolean nextIsSpace = i + 1 < last && rendered.charAt(i + 1) == ' ';
        boolean breakable = !spaces && column > 80 && (style == 'p' || i > first && i < last - 1)
            && (style == 'd' || !nextIsSpace);
        if (breakable) {
          out.append('\n').append(" ".repeat(cont));
          column = cont;
          if (style == 'd' && nextIsSpace) {
            out.append('\\');
            column++;
          }
        } else {
          out.append(c);
          column++;
        }
        spaces = true;
      } else {
        out.append(c);
        column++;
        spaces = false;
      }
    }
  }

  /** go-yaml v2 allows a block scalar unless a space precedes a break or ends the text, or a character is special. */
  static boolean literalAllowed(String s) {
    if (s.contains(" \n") || s.endsWith(" ")) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\n' && (c < 0x20 || c == 0x7f || c == '\uFEFF' || c >= 0x80 && c <= 0x9f)) {
        return false;
      }
    }
    return true;
  }

  /** Writes a literal block scalar whose lines are indented at {@code cont}. */
  private void writeLiteral(String s, int cont) {
    out.append('|');
    if (s.charAt(0) == ' ' || s.charAt(0) == '\n') {
      out.append('2');
    }
    String body = s;
    if (!s.endsWith("\n")) {
      out.append('-');
    } else if (s.endsWith("\n\n")) {
      out.append('+');
      body = s.substring(0, s.length() - 1);
    } else {
      body = s.substring(0, s.length() - 1);
    }
    out.append('\n');
    for (String line : body.split("\n", -1)) {
      if (!line.isEmpty()) {
        indent(cont);
        out.append(line);
      }
      out.append('\n');
    }
  }

  private void indent(int n) {
    out.append(" ".repeat(n));
  }

  private static List<String> sortedKeys(Map<?, ?> map) {
    List<String> keys = new ArrayList<>();
    for (Object k : map.keySet()) {
      keys.add(String.valueOf(k));
    }
    keys.sort(YamlEmitter::compareBytes);
    return keys;
  }

  /**
   * go-yaml v2's key order (sorter.go keyList.Less), which kustomize's output goes through: at the
   * first differing character, two letters compare as characters, a non-letter sorts before a
   * letter, and runs of digits compare as numbers.
   */
  static int compareBytes(String a, String b) {
    if (a.equals(b)) {
      return 0;
    }
    return less(a, b) ? -1 : less(b, a) ? 1 : a.compareTo(b);
  }

  private static boolean less(String a, String b) {
    int[] ar = a.codePoints().toArray();
    int[] br = b.codePoints().toArray();
    for (int i = 0; i < ar.length && i < br.length; i++) {
      if (ar[i] == br[i]) {
        continue;
      }
      boolean al = Character.isLetter(ar[i]);
      boolean bl = Character.isLetter(br[i]);
      if (al && bl) {
        return ar[i] < br[i];
      }
      if (al || bl) {
        return bl;
      }
      long an = 0;
      long bn = 0;
      if (ar[i] == '0' || br[i] == '0') {
        for (int j = i - 1; j >= 0 && Character.isDigit(ar[j]); j--) {
          if (ar[j] != '0') {
            an = 1;
            bn = 1;
            break;
          }
        }
      }
      int ai = i;
      for (; ai < ar.length && Character.isDigit(ar[ai]); ai++) {
        an = an * 10 + (ar[ai] - '0');
      }
      int bi = i;
      for (; bi < br.length && Character.isDigit(br[bi]); bi++) {
        bn = bn * 10 + (br[bi] - '0');
      }
      if (an != bn) {
        return an < bn;
      }
      if (ai != bi) {
        return ai < bi;
      }
      return ar[i] < br[i];
    }
    return ar.length < br.length;
  }

  /** A string as a plain, single- or double-quoted scalar, whichever go-yaml v2 would choose. */
  static String scalarString(String s, boolean key) {
    if (needsDoubleQuotes(s)) {
      return doubleQuoted(s);
    }
    if (resolvesToNonString(s)) {
      return doubleQuoted(s);
    }
    if (plainAllowed(s)) {
      return s;
    }
    return "'" + s.replace("'", "''") + "'";
  }

  private static boolean needsDoubleQuotes(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n' || c == '\r' || c < 0x20 || c == 0x7f
          || c == '\uFEFF' || (c >= 0x80 && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
        return true;
      }
    }
    return false;
  }

  static boolean resolvesToNonString(String s) {
    if (RESERVED.contains(s)) {
      return true;
    }
    char c = s.charAt(0);
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.') {
      return INT.matcher(s).matches() || FLOAT.matcher(s).matches() || SPECIAL_FLOAT.matcher(s).matches()
          || BASE60.matcher(s).matches() || TIMESTAMP.matcher(s).matches();
    }
    return false;
  }

  private static boolean plainAllowed(String s) {
    if (s.isEmpty() || s.startsWith("---") || s.startsWith("...")) {
      return false;
    }
    if (s.charAt(0) == ' ' || s.charAt(s.length() - 1) == ' ' || s.charAt(0) == '\t'
        || s.charAt(s.length() - 1) == '\t') {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean followedBySpace = i + 1 >= s.length() || s.charAt(i + 1) == ' ' || s.charAt(i + 1) == '\t';
      boolean precededBySpace = i > 0 && (s.charAt(i - 1) == ' ' || s.charAt(i - 1) == '\t');
      if (i == 0) {
        switch (c) {
          case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
            return false;
          case '?', ':', '-':
            if (followedBySpace) {
              return false;
            }
            break;
          default:
            break;
        }
      } else {
        if (c == ':' && followedBySpace) {
          return false;
        }
        if (c == '#' && precededBySpace) {
          return false;
        }
      }
    }
    return true;
  }

  private static String doubleQuoted(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\0' -> b.append("\\0");
        default -> {
          if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\uFEFF' || c == '\u2028' || c == '\u2029') {
            b.append(String.format("\\u%04X", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
