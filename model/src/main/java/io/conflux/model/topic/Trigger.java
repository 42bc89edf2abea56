package io.conflux.model.topic;

import com.fasterxml.jackson.annotation.JsonValue;

/** Why a source revision was published. Serialized lower-case: {@code webhook}, {@code poll}, {@code manual}. */
public enum Trigger {
    WEBHOOK, POLL, MANUAL;

    @JsonValue
    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
