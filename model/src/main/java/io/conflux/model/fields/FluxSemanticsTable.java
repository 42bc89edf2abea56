package io.conflux.model.fields;

import java.util.List;

/**
 * The README's "Flux semantics" field table, generated from {@link FieldSupport}'s table (the README section between
 * {@link #BEGIN} and {@link #END} must equal {@link #markdown}; {@code FieldSupportReadmeTest} checks it and rewrites it
 * with {@code -Dconflux.write-readme=true}).
 */
public final class FluxSemanticsTable {
    /** Marker line before the generated table. */
    public static final String BEGIN = "<!-- flux-fields:begin (generated from model/src/main/resources/io/conflux/model/fields/flux-fields.tsv) -->";
    /** Marker line after the generated table. */
    public static final String END = "<!-- flux-fields:end -->";

    private FluxSemanticsTable() {
    }

    /** @return one Markdown table of every kind and field: kind, field, status, note; ends with a line break */
    public static String markdown(FieldSupport table) {
        StringBuilder out = new StringBuilder();
        out.append("| kind | field | here | note |\n|---|---|---|---|\n");
        List<FieldRule> rules = table.rules();
        for (FieldRule rule : rules) {
            out.append("| ").append(rule.kind()).append(" | `").append(rule.path()).append("` | ")
                    .append(switch (rule.support()) {
                        case YES -> "acted on";
                        case PARTLY -> "partly";
                        case NO -> "**not acted on** (reported)";
                    })
                    .append(" | ").append(rule.note().replace("|", "\\|")).append(" |\n");
        }
        return out.toString();
    }
}
