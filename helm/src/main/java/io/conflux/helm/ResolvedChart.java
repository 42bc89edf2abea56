package io.conflux.helm;

/**
 * One chart version chosen from a repository index: what Flux's source-controller records as a
 * {@code HelmChart}'s artifact revision, and what {@link ChartRepository#fetch} downloads.
 *
 * @param name the chart name, as in the index ({@code entries.<name>})
 * @param version the chart version, exactly as written in the index (e.g. {@code 6.14.1})
 * @param url the absolute URL of the chart archive ({@code urls[0]} of the entry, resolved against the
 *     repository URL when relative)
 * @param digest the SHA-256 of the archive as lower-case hex, as given by the index entry's {@code digest},
 *     or {@code null} when the index gives none
 */
public record ResolvedChart(String name, String version, String url, String digest) {
}
