package io.conflux.renderer.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.helm.ChartRenderer;
import io.conflux.helm.ChartRepository;
import io.conflux.helm.Credentials;
import io.conflux.helm.HelmException;
import io.conflux.helm.HelmValues;
import io.conflux.helm.HelmValues.ValuesReference;
import io.conflux.helm.ReleaseNames;
import io.conflux.helm.ResolvedChart;
import io.conflux.model.helm.HelmRelease;
import io.conflux.model.helm.HelmReleaseSpec;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.source.HelmRepository;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Renders a Flux {@code HelmRelease} whose chart comes from a {@code HelmRepository} (HTTP index or OCI), as
 * helm-controller would install it: the newest chart version matching {@code chart.spec.version}, values merged
 * from {@code valuesFrom} in order then {@code values}, release name {@code [<targetNamespace>-]<name>} unless
 * {@code releaseName} is set, objects in the release namespace ({@code targetNamespace} or the HelmRelease's).
 * Objects without a namespace get the release namespace (the applier drops it again for cluster-scoped kinds).
 * Blocking; call from a worker thread.
 */
public final class HelmReleaseRenderer {
    private final Path chartCache;
    private final Duration defaultTimeout;
    private final ChartRenderer helm = new ChartRenderer();
    private final ObjectMapper json;

    /**
     * @param chartCache     directory of downloaded charts (by digest)
     * @param defaultTimeout bound of index and chart downloads when the HelmRepository sets no {@code timeout}
     * @param json           serializer of the bundle
     */
    public HelmReleaseRenderer(Path chartCache, Duration defaultTimeout, ObjectMapper json) {
        this.chartCache = chartCache;
        this.defaultTimeout = defaultTimeout;
        this.json = json;
    }

    /**
     * The outcome and the chart version it rendered (Flux's HelmRelease revision).
     *
     * @param outcome  the bundle or the failure
     * @param revision the chart version, null when it could not be resolved
     */
    public record Rendered(RenderOutcome outcome, String revision) {
    }

    /**
     * @param hr           the HelmRelease
     * @param repositories finds a HelmRepository by namespace and name
     * @param secretData   decoded data of a Secret by namespace and name (null when absent)
     * @param configMapData data of a ConfigMap by namespace and name (null when absent)
     * @return the bundle or a failure naming the repository URL, chart or values source
     */
    @SuppressWarnings("unchecked")
    public Rendered render(HelmRelease hr, BiFunction<String, String, Optional<HelmRepository>> repositories,
                           BiFunction<String, String, Map<String, String>> secretData,
                           BiFunction<String, String, Map<String, String>> configMapData) {
        String namespace = hr.getMetadata().getNamespace();
        HelmReleaseSpec spec = hr.getSpec();
        Map<String, Object> chartSpec = spec.chart() == null ? null : (Map<String, Object>) spec.chart().get("spec");
        if (chartSpec == null || chartSpec.get("chart") == null) {
            return failed(FluxReasons.ARTIFACT_FAILED, "spec.chart.spec.chart is required", null);
        }
        Map<String, Object> sourceRef = (Map<String, Object>) chartSpec.getOrDefault("sourceRef", Map.of());
        String sourceKind = String.valueOf(sourceRef.get("kind"));
        String sourceNamespace = sourceRef.get("namespace") == null ? namespace : String.valueOf(sourceRef.get("namespace"));
        String sourceName = String.valueOf(sourceRef.get("name"));
        if (!"HelmRepository".equals(sourceKind)) {
            return failed(FluxReasons.ARTIFACT_FAILED, "chart source kind '" + sourceKind + "' is not supported; use HelmRepository", null);
        }
        Optional<HelmRepository> repository = repositories.apply(sourceNamespace, sourceName);
        if (repository.isEmpty()) {
            return failed(FluxReasons.ARTIFACT_FAILED, "HelmRepository '" + sourceNamespace + "/" + sourceName + "' not found", null);
        }
        String chartName = String.valueOf(chartSpec.get("chart"));
        String range = chartSpec.get("version") == null ? "" : String.valueOf(chartSpec.get("version"));
        String version = null;
        try {
            ChartRepository charts = open(repository.get(), secretData);
            ResolvedChart chart = charts.resolve(chartName, range);
            version = chart.version();
            Path archive = charts.fetch(chart);
            Map<String, Object> values = values(spec, namespace, secretData, configMapData);
            String releaseNamespace = spec.targetNamespace() == null || spec.targetNamespace().isEmpty() ? namespace : spec.targetNamespace();
            String release = ReleaseNames.of(hr.getMetadata().getName(), spec.targetNamespace(), spec.releaseName());
            List<Map<String, Object>> objects = new ArrayList<>();
            for (Map<String, Object> o : helm.template(archive, release, releaseNamespace, values)) {
                objects.add(withNamespace(o, releaseNamespace));
            }
            return new Rendered(RenderOutcome.of(Bundle.of(json.writeValueAsString(objects), objects.size())), version);
        } catch (HelmException e) {
            return failed(FluxReasons.ARTIFACT_FAILED, e.getMessage(), version);
        } catch (JsonProcessingException e) {
            return failed(FluxReasons.BUILD_FAILED, "cannot serialize bundle: " + e.getOriginalMessage(), version);
        }
    }

    private ChartRepository open(HelmRepository repository, BiFunction<String, String, Map<String, String>> secretData) {
        var spec = repository.getSpec();
        Optional<Credentials> auth = Optional.empty();
        if (spec.secretRef() != null) {
            Map<String, String> data = secretData.apply(repository.getMetadata().getNamespace(), spec.secretRef().name());
            if (data == null) {
                throw new HelmException("Secret '" + repository.getMetadata().getNamespace() + "/" + spec.secretRef().name()
                        + "' of HelmRepository '" + repository.getMetadata().getName() + "' not found");
            }
            auth = Optional.of(new Credentials(data.get("username"), data.get("password")));
        }
        Duration timeout = GoDuration.parseOr(spec.timeout(), defaultTimeout);
        return "oci".equals(spec.type()) || spec.url().startsWith("oci://")
                ? ChartRepository.oci(spec.url(), auth, timeout, chartCache, false)
                : ChartRepository.http(spec.url(), auth, timeout, chartCache);
    }

    private static Map<String, Object> values(HelmReleaseSpec spec, String namespace,
                                              BiFunction<String, String, Map<String, String>> secretData,
                                              BiFunction<String, String, Map<String, String>> configMapData) {
        List<ValuesReference> from = new ArrayList<>();
        if (spec.valuesFrom() != null) {
            for (Map<String, Object> ref : spec.valuesFrom()) {
                String kind = String.valueOf(ref.get("kind"));
                String name = String.valueOf(ref.get("name"));
                Function<String, Map<String, String>> lookup = "Secret".equals(kind)
                        ? n -> secretData.apply(namespace, n) : n -> configMapData.apply(namespace, n);
                HelmValues.reference(kind, namespace, name, lookup.apply(name),
                        ref.get("valuesKey") == null ? null : String.valueOf(ref.get("valuesKey")),
                        ref.get("targetPath") == null ? null : String.valueOf(ref.get("targetPath")),
                        Boolean.TRUE.equals(ref.get("optional"))).ifPresent(from::add);
            }
        }
        return HelmValues.merge(from, spec.values() == null ? Map.of() : spec.values());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> withNamespace(Map<String, Object> object, String namespace) {
        Object metadata = object.get("metadata");
        if (metadata instanceof Map<?, ?> m && m.get("namespace") == null) {
            Map<String, Object> copy = new LinkedHashMap<>(object);
            Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) m);
            meta.put("namespace", namespace);
            copy.put("metadata", meta);
            return copy;
        }
        return object;
    }

    private static Rendered failed(String reason, String message, String version) {
        return new Rendered(RenderOutcome.failed(reason, message), version);
    }
}
