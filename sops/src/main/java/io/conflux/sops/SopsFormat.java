package io.conflux.sops;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The document formats SOPS stores encrypted data in, chosen as Flux's decryptor chooses them: by file name
 * ({@code .yaml}/{@code .yml}, {@code .json} and {@code .dockerconfigjson}, {@code .env}, {@code .ini}, anything
 * else binary) and, for Secret data values, by the marker bytes each encrypted format contains.
 */
public enum SopsFormat {
    /** YAML documents with a top-level {@code sops} key (several documents share the first one's metadata). */
    YAML("mac: ENC["),
    /** A JSON object with a top-level {@code sops} key. */
    JSON("\"mac\": \"ENC["),
    /** {@code KEY=value} lines; metadata as flattened {@code sops_*} entries. */
    DOTENV("sops_mac=ENC["),
    /** INI; not supported here (decrypting one fails with a clear message). */
    INI("[sops]"),
    /** Any file, encrypted whole as the {@code data} value of a JSON envelope. */
    BINARY("\"mac\": \"ENC[");

    private final byte[] marker;

    SopsFormat(String marker) {
        this.marker = marker.getBytes(StandardCharsets.UTF_8);
    }

    /** SOPS's {@code formats.FormatForPath}, with Flux's {@code .dockerconfigjson} as JSON. */
    public static SopsFormat forPath(String path) {
        if (path.endsWith(".yaml") || path.endsWith(".yml")) {
            return YAML;
        }
        if (path.endsWith(".json") || path.endsWith(".dockerconfigjson")) {
            return JSON;
        }
        if (path.endsWith(".env")) {
            return DOTENV;
        }
        if (path.endsWith(".ini")) {
            return INI;
        }
        return BINARY;
    }

    /** @return whether {@code content} carries this format's SOPS marker (Flux decrypts only such files) */
    public boolean marks(byte[] content) {
        return indexOf(content, marker) >= 0;
    }

    /**
     * Flux's {@code detectFormatFromMarkerBytes}: the encrypted format {@code content} is in, if any. JSON and
     * binary share their marker and load alike; JSON is returned.
     */
    public static Optional<SopsFormat> detect(byte[] content) {
        for (SopsFormat f : new SopsFormat[] {JSON, DOTENV, YAML, INI}) {
            if (f.marks(content)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
