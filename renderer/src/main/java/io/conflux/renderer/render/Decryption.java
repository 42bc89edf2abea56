package io.conflux.renderer.render;

import io.conflux.model.kustomize.KustomizationSpec;
import io.conflux.model.meta.FluxReasons;
import io.conflux.sops.AgeIdentities;
import io.conflux.sops.KustomizationSources;
import io.conflux.sops.SopsDecryptor;
import io.conflux.sops.SopsException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Kustomization's {@code spec.decryption} ({@code provider: sops}, {@code secretRef.name}) for one render, in
 * Flux's order: the age identities are read from the Secret's {@code *.agekey} entries in the Kustomization's
 * namespace, the encrypted {@code secretGenerator}/patch inputs are decrypted before the build, and every built
 * object carrying SOPS metadata after it — before {@code postBuild} substitution. Without {@code spec.decryption}
 * nothing is touched. A failure names the Secret, file or object: a missing Secret or keys that open nothing are
 * retried (the Secret may change), malformed or tampered content fails until the content changes.
 */
final class Decryption {
    /** Flux's only decryption provider. */
    static final String PROVIDER_SOPS = "sops";

    private final SopsDecryptor decryptor;

    private Decryption(SopsDecryptor decryptor) {
        this.decryptor = decryptor;
    }

    /** A decryption failure, as the render outcome to report. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient RenderOutcome outcome;

        Failure(RenderOutcome outcome) {
            super(outcome.message());
            this.outcome = outcome;
        }

        RenderOutcome outcome() {
            return outcome;
        }
    }

    /**
     * Reads the keys of {@code spec.decryption}.
     *
     * @param spec    the Kustomization's spec
     * @param cluster reads the decryption Secret ({@code data("Secret", name)}, decoded, null when absent) in the
     *                Kustomization's namespace
     * @throws Failure when the provider is not {@code sops}, the Secret is missing (retried) or holds an invalid
     *                 age identity (retried)
     */
    static Decryption of(KustomizationSpec spec, PostBuild.VariableSource cluster) throws Failure {
        Map<String, Object> decryption = spec.decryption();
        if (decryption == null) {
            return new Decryption(null);
        }
        Object provider = decryption.get("provider");
        if (!PROVIDER_SOPS.equals(provider)) {
            throw new Failure(RenderOutcome.failed(FluxReasons.BUILD_FAILED,
                    "decryption provider '" + provider + "' is not supported; use 'sops'"));
        }
        Object name = decryption.get("secretRef") instanceof Map<?, ?> ref ? ref.get("name") : null;
        if (name == null) {
            return new Decryption(new SopsDecryptor(AgeIdentities.none("(no decryption secretRef)")));
        }
        Map<String, String> data = cluster.data("Secret", name.toString());
        if (data == null) {
            throw new Failure(RenderOutcome.retryable(FluxReasons.BUILD_FAILED,
                    "decryption Secret '" + name + "' not found"));
        }
        try {
            return new Decryption(new SopsDecryptor(AgeIdentities.fromSecret(name.toString(), data)));
        } catch (SopsException e) {
            throw failure("cannot import decryption keys", e);
        }
    }

    /**
     * Decrypts the encrypted inputs of the kustomization in {@code dir} in place (Flux's {@code DecryptSources}).
     *
     * @param root the source root ({@code /source}); file names in messages are relative to it
     */
    void decryptSources(Path root, Path dir) throws Failure, IOException {
        if (decryptor == null) {
            return;
        }
        try {
            KustomizationSources.decrypt(root, dir, decryptor);
        } catch (SopsException e) {
            throw failure("error decrypting sources", e);
        }
    }

    /** @return the built objects with SOPS-encrypted ones decrypted (Flux's {@code DecryptResource}) */
    List<Map<String, Object>> decryptObjects(List<Map<String, Object>> objects) throws Failure {
        if (decryptor == null) {
            return objects;
        }
        List<Map<String, Object>> out = new ArrayList<>(objects.size());
        for (Map<String, Object> object : objects) {
            try {
                out.add(decryptor.decryptObject(object));
            } catch (SopsException e) {
                throw failure("decryption failed for '" + name(object) + "'", e);
            }
        }
        return out;
    }

    private static Failure failure(String context, SopsException e) {
        String message = context + ": " + e.getMessage();
        return new Failure(e.keyProblem() ? RenderOutcome.retryable(FluxReasons.BUILD_FAILED, message)
                : RenderOutcome.failed(FluxReasons.BUILD_FAILED, message));
    }

    private static String name(Map<String, Object> object) {
        Map<?, ?> meta = object.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
        Object ns = meta.get("namespace");
        return object.get("kind") + "/" + (ns == null ? "" : ns + "/") + meta.get("name");
    }
}
