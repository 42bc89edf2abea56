package io.conflux.helm;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.semver4j.Range;
import org.semver4j.RangesList;
import org.semver4j.RangesListFactory;
import org.semver4j.Semver;

/**
 * Chart version constraints as Helm and Flux read them (Masterminds/semver v3), on top of semver4j's
 * range parser: {@code 1.x}, {@code ~1.2}, {@code ^1.2.3}, {@code >=1.0.0 <2.0.0}, {@code >= 1.0, < 2.0}
 * (comma = and), {@code a || b}, {@code 1.2 - 1.4}, {@code *}.
 *
 * <p>Pre-releases follow Masterminds: a version with a pre-release satisfies a set of comparators only
 * when every comparator of the set names a pre-release itself (so {@code *}, {@code 1.x} and
 * {@code >=1.0.0 <2.0.0} skip {@code 1.5.0-rc.1}, while {@code >=1.0.0-alpha} takes it).
 */
final class VersionMatcher {

  private static final Pattern LENIENT = Pattern.compile(
      "^v?(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$");

  private final String constraint;
  private final RangesList ranges;

  private VersionMatcher(String constraint, RangesList ranges) {
    this.constraint = constraint;
    this.ranges = ranges;
  }

  /**
   * @param constraint a constraint; null, blank and {@code *} mean any stable version
   * @throws IllegalArgumentException when the constraint does not parse
   */
  static VersionMatcher of(String constraint) {
    String c = constraint == null || constraint.isBlank() ? "*" : constraint.trim();
    // Masterminds separates AND-ed comparators with commas as well as spaces; npm syntax only with spaces
    String npm = c.replace(',', ' ');
    RangesList ranges;
    try {
      ranges = RangesListFactory.create(npm, false);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("improper constraint: " + c, e);
    }
    if (ranges.get().isEmpty()) {
      throw new IllegalArgumentException("improper constraint: " + c);
    }
    return new VersionMatcher(c, ranges);
  }

  /** Parses a version the lenient way Masterminds' {@code NewVersion} does ({@code v1.2}, {@code 1} allowed). */
  static Optional<Semver> parseVersion(String version) {
    if (version == null) {
      return Optional.empty();
    }
    Matcher m = LENIENT.matcher(version.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    String normalized = m.group(1) + "." + (m.group(2) == null ? "0" : m.group(2)) + "."
        + (m.group(3) == null ? "0" : m.group(3))
        + (m.group(4) == null ? "" : m.group(4)) + (m.group(5) == null ? "" : m.group(5));
    try {
      return Optional.of(Semver.parse(normalized)).filter(v -> v != null);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  boolean matches(Semver version) {
    boolean prerelease = !version.getPreRelease().isEmpty();
    for (List<Range> set : ranges.get()) {
      boolean all = true;
      for (Range range : set) {
        if (!range.isSatisfiedBy(version)
            || (prerelease && range.getRangeVersion().getPreRelease().isEmpty())) {
          all = false;
          break;
        }
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return constraint;
  }
}
