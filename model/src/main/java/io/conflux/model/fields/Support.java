package io.conflux.model.fields;

/** How far Conflux acts on one Flux field ({@link FieldSupport}). */
public enum Support {
    /** Acted on as Flux does. */
    YES,
    /** Acted on, within the limits the rule's note gives. */
    PARTLY,
    /** Not acted on: reported on the object when present. */
    NO;

    /** @return the table's word: {@code yes}, {@code partly}, {@code no} */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Support of(String word) {
        return valueOf(word.trim().toUpperCase(java.util.Locale.ROOT));
    }
}
