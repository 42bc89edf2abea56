package io.conflux.service;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The bounds on JSON every service reads — Kafka records, bundles and inventories from PostgreSQL, webhook bodies,
 * Kubernetes objects — applied to the services' {@link ObjectMapper} (Quarkus calls this customizer for the mapper it
 * injects and for the Kafka {@code ObjectMapperDeserializer}s): Jackson's {@link StreamReadConstraints}, made explicit
 * so that they are Conflux's choice rather than a library default. A document beyond a bound fails to parse with a
 * {@code StreamConstraintsException} naming the bound and the position, for that message or request only.
 *
 * <ul>
 *   <li>nesting depth 1,000: YAML input is bounded at 500 levels ({@code YamlBounds.MANIFESTS} of the kustomize
 *       module), so a rendered object stays readable inside the envelopes (bundle list, records) around it;</li>
 *   <li>document length 256 MiB: the largest JSON read is a rendered bundle (all objects of one Kustomization);
 *       Kafka records are at most 1 MiB;</li>
 *   <li>string length 20,000,000 chars and number length 1,000 digits: Jackson's defaults, far above a Secret's
 *       or ConfigMap's 1 MiB.</li>
 * </ul>
 */
@Singleton
public class JsonBounds implements ObjectMapperCustomizer {
    /** The constraints; see the class comment for why each. */
    public static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(1_000)
            .maxDocumentLength(256L << 20)
            .maxStringLength(20_000_000)
            .maxNumberLength(1_000)
            .build();

    @Override
    public void customize(ObjectMapper mapper) {
        bounded(mapper);
    }

    /**
     * Applies {@link #CONSTRAINTS} to a mapper made outside CDI (static helpers).
     *
     * @return {@code mapper}, for chaining
     */
    public static ObjectMapper bounded(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(CONSTRAINTS);
        return mapper;
    }
}
