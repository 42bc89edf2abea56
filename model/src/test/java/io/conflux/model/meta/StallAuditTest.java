package io.conflux.model.meta;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The no-silent-stall decision (issue #13), without infrastructure. */
class StallAuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant CREATED = Instant.parse("2026-12-07T00:00:00Z");
    private static final Duration GRACE = Duration.ofMinutes(1);
    private final Map<ObjectKey, JsonNode> cluster = new HashMap<>();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JsonNode kustomization(String extraSpec, String status) {
        return json("{'kind':'Kustomization','metadata':{'name':'apps','namespace':'flux-system','generation':2,"
                + "'creationTimestamp':'" + CREATED + "'},'spec':{'interval':'10m','timeout':'2m',"
                + "'sourceRef':{'kind':'GitRepository','name':'repo'}" + extraSpec + "}"
                + (status == null ? "" : ",'status':" + status) + "}");
    }

    private Optional<StallAudit.Stall> audit(JsonNode o, Instant now) {
        return StallAudit.of(o, k -> Optional.ofNullable(cluster.get(k)), now, GRACE);
    }

    private void readySource(String status) {
        cluster.put(new ObjectKey("GitRepository", "flux-system", "repo"), json("{'kind':'GitRepository','metadata':"
                + "{'name':'repo','namespace':'flux-system','generation':1},'status':{'observedGeneration':1,"
                + "'conditions':[{'type':'Ready','status':'" + status + "','reason':'Succeeded','observedGeneration':1}]}}"));
    }

    @Test
    void noReadyConditionIsAStallOnlyPastIntervalPlusTimeoutPlusGrace() {
        readySource("True");
        JsonNode k = kustomization("", null);
        assertThat(audit(k, CREATED.plus(Duration.ofMinutes(12)).plusSeconds(59))).isEmpty();
        StallAudit.Stall stall = audit(k, CREATED.plus(Duration.ofMinutes(13))).orElseThrow();
        assertThat(stall.reason()).isEqualTo(StallAudit.NOT_RECONCILED);
        assertThat(stall.message()).contains("no Ready condition").contains("conflux-renderer")
                .contains("conflux.render-results").contains("conflux-applier");
        assertThat(stall.key()).isEqualTo(new ObjectKey("Kustomization", "flux-system", "apps"));
        assertThat(stall.reported()).isFalse();
        assertThat(stall.condition().status()).isEqualTo("False");
        assertThat(stall.condition().observedGeneration()).isEqualTo(2L);
    }

    @Test
    void aMissingOrUnreadySourceIsArtifactFailedNamingIt() {
        Instant late = CREATED.plus(Duration.ofHours(1));
        StallAudit.Stall missing = audit(kustomization("", null), late).orElseThrow();
        assertThat(missing.reason()).isEqualTo(FluxReasons.ARTIFACT_FAILED);
        assertThat(missing.message()).startsWith("source GitRepository/flux-system/repo not found");
        readySource("Unknown");
        assertThat(audit(kustomization("", null), late).orElseThrow().message())
                .startsWith("source GitRepository/flux-system/repo is not ready (Ready=Unknown Succeeded)");
    }

    @Test
    void aDependencyNotReadyIsDependencyNotReady() {
        readySource("True");
        JsonNode k = kustomization(",'dependsOn':[{'name':'infra'}]", null);
        StallAudit.Stall stall = audit(k, CREATED.plus(Duration.ofHours(1))).orElseThrow();
        assertThat(stall.reason()).isEqualTo(FluxReasons.DEPENDENCY_NOT_READY);
        assertThat(stall.message()).startsWith("dependency Kustomization/flux-system/infra not found");
    }

    @Test
    void aStatusOfAnOlderGenerationIsPendingButACurrentVerdictIsNot() {
        readySource("True");
        Instant late = CREATED.plus(Duration.ofHours(1));
        JsonNode old = kustomization("", "{'observedGeneration':1,'conditions':[{'type':'Ready','status':'True',"
                + "'reason':'ReconciliationSucceeded','observedGeneration':1,'lastTransitionTime':'" + CREATED + "'}]}");
        assertThat(audit(old, late).orElseThrow().message()).contains("generation 2 not reconciled");
        JsonNode current = kustomization("", "{'observedGeneration':2,'conditions':[{'type':'Ready','status':'False',"
                + "'reason':'BuildFailed','observedGeneration':2,'lastTransitionTime':'" + CREATED + "'}]}");
        assertThat(audit(current, late)).isEmpty();
    }

    @Test
    void readyUnknownCountsFromItsTransition() {
        readySource("True");
        Instant transition = CREATED.plus(Duration.ofHours(2));
        JsonNode k = kustomization("", "{'observedGeneration':2,'conditions':[{'type':'Ready','status':'Unknown',"
                + "'reason':'Progressing','observedGeneration':2,'lastTransitionTime':'" + transition + "'}]}");
        assertThat(audit(k, transition.plus(Duration.ofMinutes(12)))).isEmpty();
        assertThat(audit(k, transition.plus(Duration.ofMinutes(14))).orElseThrow().message())
                .contains("Ready=Unknown (Progressing)");
    }

    @Test
    void aLaterSpecWriteRestartsTheClockButAStatusWriteDoesNot() {
        readySource("True");
        Instant edited = CREATED.plus(Duration.ofHours(3));
        JsonNode k = json(kustomization("", null).toString().replace("\"generation\":2",
                "\"generation\":2,\"managedFields\":[{\"manager\":\"kubectl\",\"operation\":\"Apply\",\"time\":\""
                        + edited + "\",\"fieldsV1\":{\"f:spec\":{}}},{\"manager\":\"conflux\",\"operation\":\"Update\","
                        + "\"subresource\":\"status\",\"time\":\"" + edited.plus(Duration.ofHours(1)) + "\"}]"));
        assertThat(audit(k, edited.plus(Duration.ofMinutes(12)))).isEmpty();
        assertThat(audit(k, edited.plus(Duration.ofMinutes(13)))).isPresent();
    }

    @Test
    void theWrittenConditionIsRecognisedAsReportedSoTheAuditWritesOnce() {
        readySource("True");
        Instant late = CREATED.plus(Duration.ofHours(1));
        StallAudit.Stall first = audit(kustomization("", null), late).orElseThrow();
        com.fasterxml.jackson.databind.node.ObjectNode written = (com.fasterxml.jackson.databind.node.ObjectNode)
                kustomization("", null);
        written.putObject("status").putArray("conditions").add(JSON.valueToTree(first.condition()));
        StallAudit.Stall again = audit(written, late.plus(Duration.ofMinutes(5))).orElseThrow();
        assertThat(again.reported()).isTrue();
        assertThat(again.message()).isEqualTo(first.message());
    }

    @Test
    void suspendedDeletedAndStaticObjectsAreNotAudited() {
        Instant late = CREATED.plus(Duration.ofDays(1));
        assertThat(audit(kustomization(",'suspend':true", null), late)).isEmpty();
        assertThat(audit(json("{'kind':'Kustomization','metadata':{'name':'x','namespace':'n','creationTimestamp':'"
                + CREATED + "','deletionTimestamp':'" + CREATED + "'},'spec':{'interval':'1m'}}"), late)).isEmpty();
        assertThat(audit(json("{'kind':'Provider','metadata':{'name':'x','namespace':'n','creationTimestamp':'"
                + CREATED + "'},'spec':{'type':'slack'}}"), late)).isEmpty();
    }

    @Test
    void everyKindWithAStatusIsAudited() {
        for (String kind : StallAudit.WRITERS.keySet()) {
            JsonNode o = json("{'kind':'" + kind + "','metadata':{'name':'x','namespace':'n','creationTimestamp':'"
                    + CREATED + "'},'spec':{'interval':'1m'}}");
            assertThat(audit(o, CREATED.plus(Duration.ofDays(1)))).as(kind).isPresent();
        }
    }
}
