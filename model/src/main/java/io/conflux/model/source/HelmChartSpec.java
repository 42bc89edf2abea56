package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.conflux.model.meta.LocalObjectReference;
import java.util.List;

/**
 * {@code HelmChart.spec}, Flux {@code source.toolkit.fluxcd.io/v1}.
 *
 * @param chart                    chart name (HelmRepository) or path in the source (GitRepository, Bucket)
 * @param version                  semver range, default {@code *}; ignored for Git and Bucket sources (the chart's own)
 * @param sourceRef                the {@code HelmRepository}, {@code GitRepository} or {@code Bucket}, same namespace
 * @param interval                 Go duration between reconciles
 * @param reconcileStrategy        {@code ChartVersion} (default) or {@code Revision}
 * @param valuesFiles              values files merged into the chart's {@code values.yaml}, in order
 * @param ignoreMissingValuesFiles true skips a missing values file instead of failing
 * @param suspend                  true stops reconciliation
 * @param verify                   cosign/notation verification of an OCI chart; null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record HelmChartSpec(String chart, String version, SourceReference sourceRef, String interval,
                            String reconcileStrategy, List<String> valuesFiles, Boolean ignoreMissingValuesFiles,
                            Boolean suspend, Verification verify) {

    /** @return whether reconciliation is suspended */
    public boolean suspended() {
        return Boolean.TRUE.equals(suspend);
    }

    /**
     * Flux's {@code LocalHelmChartSourceReference}.
     *
     * @param apiVersion optional API version of the referent
     * @param kind       {@code HelmRepository}, {@code GitRepository} or {@code Bucket}
     * @param name       referent name, in the HelmChart's namespace
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SourceReference(String apiVersion, String kind, String name) {
    }

    /**
     * Flux's {@code HelmChartVerification}.
     *
     * @param provider          {@code cosign} or {@code notation}
     * @param secretRef         public keys or certificates
     * @param matchOIDCIdentity keyless identities ({@code issuer}, {@code subject} regular expressions)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Verification(String provider, LocalObjectReference secretRef, List<OidcIdentity> matchOIDCIdentity) {
    }

    /**
     * @param issuer  regular expression of the OIDC issuer
     * @param subject regular expression of the OIDC subject
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record OidcIdentity(String issuer, String subject) {
    }
}
