package io.conflux.kustomize.yaml;

import java.math.BigInteger;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.schema.Schema;

/**
 * Scalar typing as kustomize sees it: go-yaml v3's resolver (kyaml) followed by the JSON round
 * trip of kustomize's output. Plain {@code true/false} (any case variant go-yaml accepts) are
 * booleans, {@code null}/{@code ~}/empty are null, integers follow Go's base-prefix rules
 * ({@code 0755} is octal, {@code 0x1F}, {@code 0o17}, {@code 0b101}, {@code 1_000}), floats that
 * hold an integral value become integers (JSON has one number type), and plain timestamps become
 * RFC 3339 strings. {@code yes/no/on/off} stay strings.
 */
final class GoYamlSchema implements Schema {
  static final Tag TIMESTAMP = new Tag(Tag.PREFIX + "timestamp");

  /**
   * What a null written with no value ({@code x:}, an empty document) is constructed as, for {@link KYaml} to record
   * it in a {@link YamlMap} (or read it as {@code null} elsewhere); never left in a tree {@link KYaml} returns.
   */
  static final Object EMPTY_NULL = new Object() {
    @Override
    public String toString() {
      return "null";
    }
  };

  private static final Set<String> TRUE = Set.of("true", "True", "TRUE");
  private static final Set<String> FALSE = Set.of("false", "False", "FALSE");
  private static final Set<String> NULL = Set.of("", "~", "null", "Null", "NULL");
  private static final Pattern FLOAT = Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  private static final Pattern SPECIAL = Pattern.compile("[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  private static final Pattern TS = Pattern.compile(
      "([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \\t]+)([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(\\.[0-9]*)?"
      + "[ \\t]*(Z|[-+][0-9]{1,2}(?::?[0-9]{2})?)?)?");

  @Override
  public ScalarResolver getScalarResolver() {
    return (value, implicit) -> {
      if (!Boolean.TRUE.equals(implicit)) {
        return Tag.STR;
      }
      return resolve(value);
    };
  }

  static Tag resolve(String v) {
    if (NULL.contains(v)) {
      return Tag.NULL;
    }
    if (TRUE.contains(v) || FALSE.contains(v)) {
      return Tag.BOOL;
    }
    if (v.equals("<<")) {
      return Tag.MERGE;
    }
    char c = v.charAt(0);
    if (!(c >= '0' && c <= '9') && c != '-' && c != '+' && c != '.') {
      return Tag.STR;
    }
    if (SPECIAL.matcher(v).matches()) {
      return Tag.FLOAT;
    }
    if (TS.matcher(v).matches()) {
      return TIMESTAMP;
    }
    if (parseInt(v) != null) {
      return Tag.INT;
    }
    if (FLOAT.matcher(v.replace("_", "")).matches()) {
      return Tag.FLOAT;
    }
    return Tag.STR;
  }

  /** Go's strconv.ParseInt(s, 0, 64) / ParseUint after removing underscores; null when not an integer. */
  static Number parseInt(String v) {
    String s = v.replace("_", "");
    boolean neg = s.startsWith("-");
    String body = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
    int radix = 10;
    if (body.startsWith("0x") || body.startsWith("0X")) {
      radix = 16;
      body = body.substring(2);
    } else if (body.startsWith("0o") || body.startsWith("0O")) {
      radix = 8;
      body = body.substring(2);
    } else if (body.startsWith("0b") || body.startsWith("0B")) {
      radix = 2;
      body = body.substring(2);
    } else if (body.length() > 1 && body.startsWith("0")) {
      radix = 8;
      body = body.substring(1);
    }
    if (body.isEmpty()) {
      return null;
    }
    try {
      BigInteger b = new BigInteger(body, radix);
      if (neg) {
        b = b.negate();
      }
      if (b.bitLength() < 64) {
        return b.longValue();
      }
      return b.doubleValue();
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public Map<Tag, ConstructNode> getSchemaTagConstructors() {
    Map<Tag, ConstructNode> m = new HashMap<>();
    m.put(Tag.NULL, node -> value(node).isEmpty() ? EMPTY_NULL : null);
    m.put(Tag.BOOL, node -> TRUE.contains(value(node)) || value(node).equalsIgnoreCase("true"));
    m.put(Tag.INT, node -> {
      Number n = parseInt(value(node));
      return n != null ? n : floatValue(value(node));
    });
    m.put(Tag.FLOAT, node -> floatValue(value(node)));
    m.put(TIMESTAMP, node -> timestamp(value(node)));
    m.put(Tag.STR, this::string);
    return m;
  }

  /** Code points of the text being read, or -1 when unknown (then block scalars at its end are taken as read). */
  private final int textLength;
  private final boolean endsWithBreak;

  /** A schema for reading a text of unknown length. */
  GoYamlSchema() {
    this(null);
  }

  /** A schema for reading {@code text} (its end decides the chomping of a block scalar ending there). */
  GoYamlSchema(String text) {
    this.textLength = text == null ? -1 : text.codePointCount(0, text.length());
    this.endsWithBreak = text == null || text.endsWith("\n") || text.endsWith("\r");
  }

  /**
   * A string scalar as go-yaml v3 (kyaml) reads it where it departs from the YAML spec SnakeYAML follows:
   * a block scalar ending the text without a final line break has no trailing newline (the clip chomping has no
   * break to keep). A folded scalar gets an extra newline where a line that is not more-indented is followed by a
   * tab-led one (go-yaml's reading), and before a space-led run too when the value is printed as a literal block
   * (kyaml keeps the folded style and go-yaml prints it so; the value it keeps has one newline there, which shows
   * when it is printed double-quoted). Matched against kubectl kustomize v1.35, so the text printed is the same.
   */
  private Object string(Node node) {
    ScalarNode n = (ScalarNode) node;
    String v = n.getValue();
    ScalarStyle style = n.getScalarStyle();
    if (style == ScalarStyle.FOLDED && v.indexOf('\n') >= 0) {
      String printedAsLiteral = goFolded(v, true);
      v = YamlEmitter.literalAllowed(printedAsLiteral) ? printedAsLiteral : goFolded(v, false);
    }
    if ((style == ScalarStyle.LITERAL || style == ScalarStyle.FOLDED) && !endsWithBreak && v.endsWith("\n")
        && n.getEndMark().map(mark -> mark.getIndex() >= textLength).orElse(false)) {
      v = v.substring(0, v.length() - 1);
    }
    return v;
  }

  /**
   * One more newline before each run of more-indented lines (tab-led; space-led too when {@code spaces}) that follows
   * a plain line.
   */
  static String goFolded(String v, boolean spaces) {
    String[] lines = v.split("\n", -1);
    StringBuilder out = new StringBuilder(v.length() + 8);
    boolean previousPlain = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      boolean blankLed = !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t');
      boolean counted = !line.isEmpty() && (line.charAt(0) == '\t' || spaces && line.charAt(0) == ' ');
      if (i > 0) {
        out.append('\n');
        if (counted && previousPlain) {
          out.append('\n');
        }
      }
      out.append(line);
      if (!line.isEmpty()) {
        previousPlain = !blankLed;
      }
    }
    return out.toString();
  }

  private static String value(Node node) {
    return ((ScalarNode) node).getValue();
  }

  private static Object floatValue(String v) {
    String s = v.replace("_", "");
    if (SPECIAL.matcher(s).matches()) {
      if (s.toLowerCase().contains("nan")) {
        return Double.NaN;
      }
      return s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    try {
      double d = Double.parseDouble(s);
      if (d == Math.rint(d) && Math.abs(d) < 9.0e18) {
        return (long) d;
      }
      return d;
    } catch (NumberFormatException e) {
      return v;
    }
  }

  /** A plain timestamp as Go's time.Time marshals to JSON (RFC 3339). */
  private static String timestamp(String v) {
    Matcher m = TS.matcher(v);
    if (!m.matches()) {
      return v;
    }
    try {
      LocalDate date = LocalDate.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3)));
      if (m.group(4) == null) {
        return date + "T00:00:00Z";
      }
      String frac = m.group(7) == null ? "" : m.group(7).substring(1);
      int nanos = frac.isEmpty() ? 0 : Integer.parseInt((frac + "000000000").substring(0, 9));
      LocalDateTime t = date.atTime(Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
          Integer.parseInt(m.group(6)), nanos);
      ZoneOffset offset = ZoneOffset.UTC;
      String zone = m.group(8);
      if (zone != null && !zone.equals("Z")) {
        String z = zone.contains(":") || zone.length() <= 3 ? zone : zone.substring(0, 3) + ":" + zone.substring(3);
        offset = ZoneOffset.of(z.length() == 2 ? z.charAt(0) + "0" + z.charAt(1) : z);
      }
      String text = OffsetDateTime.of(t, offset).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
      return text.replace("+00:00", "Z");
    } catch (java.time.DateTimeException | NumberFormatException e) {
      return v;
    }
  }
}
