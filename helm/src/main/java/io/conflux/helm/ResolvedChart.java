package io.conflux.helm;

/**
 * One chart version chosen from a repository index: what Flux's source-controller records as a
 * {@code HelmChart}'s artifact revision, and what {@link ChartRepository#fetch} downloads.
 *
 * @param name the chart name, as in the index ({@code entries.<name>})
 * @param version the chart version, exactly as written in the index (e.g. {@code 6.14.1})
 * @param url where the archive is: for an HTTP repository the absolute URL of the chart archive
 *     ({@code urls[0]} of the index entry, resolved against the repository URL when relative); for an OCI
 *     repository the reference {@code oci://<host>/<path>/<chart>:<tag>}
 * @param digest the SHA-256 of the archive as lower-case hex, from the index entry's {@code digest} or the OCI
 *     manifest's chart layer, or {@code null} when an HTTP index gives none
 */
public record ResolvedChart(String name, String version, String url, String digest) {
}
