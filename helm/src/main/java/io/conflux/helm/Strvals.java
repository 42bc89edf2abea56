package io.conflux.helm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Helm's {@code --set} parser ({@code helm.sh/helm/v3/pkg/strvals}, {@code ParseInto} and
 * {@code ParseIntoString}), which Flux's helm-controller uses for a {@code valuesFrom} entry's
 * {@code targetPath}. Follows its rules: {@code .} nests maps, {@code [i]} indexes lists, {@code ,}
 * separates assignments, {@code {a,b}} is a list, a backslash escapes the next character; unquoted values
 * become booleans, null, or 64-bit integers (not with a leading zero), the rest strings.
 */
final class Strvals {

  static final int MAX_INDEX = 65536;
  static final int MAX_NESTED_NAME_LEVEL = 30;

  private final String in;
  private final boolean stringsOnly;
  private int pos;

  private Strvals(String in, boolean stringsOnly) {
    this.in = in;
    this.stringsOnly = stringsOnly;
  }

  /**
   * Parses {@code s} (e.g. {@code a.b[0].c=1,d=x}) into {@code dest}, mutating it.
   *
   * @param stringsOnly true for {@code ParseIntoString} (no typing of values)
   * @throws IllegalArgumentException with Helm's message when {@code s} does not parse
   */
  static void parseInto(String s, Map<String, Object> dest, boolean stringsOnly) {
    Strvals p = new Strvals(s, stringsOnly);
    while (!p.key(dest, 0)) {
      // each call reads one assignment; true means end of input
    }
  }

  /** Result of reading up to a stop character. */
  private record Scan(String text, char last, boolean eof) {
  }

  private Scan runesUntil(String stop) {
    StringBuilder v = new StringBuilder();
    while (true) {
      if (pos >= in.length()) {
        return new Scan(v.toString(), '\0', true);
      }
      char r = in.charAt(pos++);
      if (stop.indexOf(r) >= 0) {
        return new Scan(v.toString(), r, false);
      }
      if (r == '\\') {
        if (pos >= in.length()) {
          return new Scan(v.toString(), '\0', true);
        }
        v.append(in.charAt(pos++));
      } else {
        v.append(r);
      }
    }
  }

  private static IllegalArgumentException error(String message) {
    return new IllegalArgumentException(message);
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /** Reads one key (and its value); returns true at end of input. */
  private boolean key(Map<String, Object> data, int nestedNameLevel) {
    Scan s = runesUntil("=[,.");
    String k = s.text();
    if (s.eof()) {
      if (k.isEmpty()) {
        return true;
      }
      throw error("key " + quote(k) + " has no value");
    }
    switch (s.last()) {
      case '[': {
        int i = keyIndex();
        Object existing = data.get(k);
        List<Object> list;
        if (existing == null && !data.containsKey(k)) {
          list = new ArrayList<>();
        } else if (existing instanceof List<?>) {
          list = asList(existing);
        } else {
          throw error("unable to parse key: " + quote(k) + " is not a list");
        }
        ListResult r = listItem(list, i, nestedNameLevel);
        set(data, k, r.list());
        return r.eof();
      }
      case '=': {
        ValList vl = valList();
        if (vl.list() != null) {
          set(data, k, vl.list());
          return false;
        }
        if (vl.eof()) {
          set(data, k, "");
          return true;
        }
        Scan v = val();
        set(data, k, typed(v.text()));
        return false;
      }
      case ',':
        set(data, k, "");
        throw error("key " + quote(k) + " has no value (cannot end with ,)");
      case '.': {
        nestedNameLevel++;
        if (nestedNameLevel > MAX_NESTED_NAME_LEVEL) {
          throw error("value name nested level is greater than maximum supported nested level of "
              + MAX_NESTED_NAME_LEVEL);
        }
        Map<String, Object> inner;
        Object existing = data.get(k);
        if (existing == null && !data.containsKey(k)) {
          inner = new LinkedHashMap<>();
        } else if (existing instanceof Map<?, ?>) {
          inner = asMap(existing);
        } else {
          throw error("unable to parse key: " + quote(k) + " is not a map");
        }
        boolean eof = key(inner, nestedNameLevel);
        if (!eof && inner.isEmpty()) {
          throw error("key map " + quote(k) + " has no value");
        }
        if (!inner.isEmpty()) {
          set(data, k, inner);
        }
        return eof;
      }
      default:
        throw error("parse error: unexpected token " + s.last());
    }
  }

  private record ListResult(List<Object> list, boolean eof) {
  }

  private ListResult listItem(List<Object> list, int i, int nestedNameLevel) {
    if (i < 0) {
      throw error("negative " + i + " index not allowed");
    }
    Scan s = runesUntil("[.=");
    if (!s.text().isEmpty()) {
      throw error("unexpected data at end of array index: " + quote(s.text()));
    }
    if (s.eof()) {
      return new ListResult(list, true);
    }
    switch (s.last()) {
      case '=': {
        ValList vl = valList();
        if (vl.list() != null) {
          return new ListResult(setIndex(list, i, vl.list()), false);
        }
        if (vl.eof()) {
          return new ListResult(setIndex(list, i, ""), false);
        }
        Scan v = val();
        return new ListResult(setIndex(list, i, typed(v.text())), false);
      }
      case '[': {
        int nextI = keyIndex();
        List<Object> current = new ArrayList<>();
        if (list.size() > i && list.get(i) != null) {
          if (!(list.get(i) instanceof List<?>)) {
            throw error("unable to parse key: index " + i + " is not a list");
          }
          current = asList(list.get(i));
        }
        ListResult nested = listItem(current, nextI, nestedNameLevel);
        if (nested.eof()) {
          return new ListResult(list, true);
        }
        return new ListResult(setIndex(list, i, nested.list()), false);
      }
      case '.': {
        Map<String, Object> inner = new LinkedHashMap<>();
        if (list.size() > i) {
          if (list.get(i) instanceof Map<?, ?>) {
            inner = asMap(list.get(i));
          } else {
            // indices out of order: start an empty map there
            list.set(i, inner);
          }
        }
        boolean eof = key(inner, nestedNameLevel);
        if (eof) {
          return new ListResult(list, true);
        }
        return new ListResult(setIndex(list, i, inner), false);
      }
      default:
        throw error("parse error: unexpected token " + s.last());
    }
  }

  private static List<Object> setIndex(List<Object> list, int index, Object value) {
    if (index < 0) {
      throw error("negative " + index + " index not allowed");
    }
    if (index > MAX_INDEX) {
      throw error("index of " + index + " is greater than maximum supported index of " + MAX_INDEX);
    }
    while (list.size() <= index) {
      list.add(null);
    }
    list.set(index, value);
    return list;
  }

  private int keyIndex() {
    Scan s = runesUntil("]");
    if (s.eof()) {
      throw error("error parsing index: EOF");
    }
    try {
      return Integer.parseInt(s.text());
    } catch (NumberFormatException e) {
      throw error("error parsing index: strconv.Atoi: parsing " + quote(s.text()) + ": invalid syntax");
    }
  }

  private Scan val() {
    return runesUntil(",");
  }

  /** {@code list} set when a {@code {...}} list was read; {@code eof} when the input ended before a value. */
  private record ValList(List<Object> list, boolean eof) {
  }

  private ValList valList() {
    if (pos >= in.length()) {
      return new ValList(null, true);
    }
    if (in.charAt(pos) != '{') {
      return new ValList(null, false);
    }
    pos++;
    List<Object> list = new ArrayList<>();
    while (true) {
      Scan s = runesUntil(",}");
      if (s.eof()) {
        throw error("list must terminate with '}'");
      }
      if (s.last() == '}') {
        if (pos < in.length() && in.charAt(pos) == ',') {
          pos++;
        }
        list.add(typed(s.text()));
        return new ValList(list, false);
      }
      list.add(typed(s.text()));
    }
  }

  private Object typed(String val) {
    if (stringsOnly) {
      return val;
    }
    if (val.equalsIgnoreCase("true")) {
      return Boolean.TRUE;
    }
    if (val.equalsIgnoreCase("false")) {
      return Boolean.FALSE;
    }
    if (val.equalsIgnoreCase("null")) {
      return null;
    }
    if (val.equals("0")) {
      return 0L;
    }
    if (!val.isEmpty() && val.charAt(0) != '0' && val.chars().allMatch(c -> c < 128)) {
      try {
        return Long.parseLong(val);
      } catch (NumberFormatException e) {
        // not an integer: a string
      }
    }
    return val;
  }

  private static void set(Map<String, Object> data, String key, Object value) {
    if (!key.isEmpty()) {
      data.put(key, value);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Object> asList(Object o) {
    return (List<Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    return (Map<String, Object>) o;
  }
}
