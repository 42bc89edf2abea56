package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Validation of a custom resource against the structural schema of its CRD version, with the checks and messages
 * of kube-apiserver (kube-openapi {@code validate} as apiextensions-apiserver reports it): {@code type} (with
 * {@code x-kubernetes-int-or-string} and {@code nullable}), {@code required}, {@code enum}, {@code pattern} (RE2,
 * unanchored as Go's {@code MatchString}), {@code format} for the formats Kubernetes checks ({@code date-time},
 * {@code date}, {@code byte}, {@code uuid}, {@code ipv4}, {@code ipv6}; {@code int32}/{@code int64}/{@code double}
 * and unknown formats are not checked, as there), {@code minimum}/{@code maximum} (and {@code exclusive*}),
 * {@code minLength}/{@code maxLength} (in characters), {@code minItems}/{@code maxItems},
 * {@code minProperties}/{@code maxProperties}, {@code x-kubernetes-embedded-resource} (needs {@code apiVersion} and
 * {@code kind}), {@code x-kubernetes-preserve-unknown-fields} (anything goes below it where no schema says
 * otherwise). Not implemented: {@code oneOf}/{@code anyOf}/{@code allOf}/{@code not}, {@code uniqueItems},
 * {@code multipleOf}, {@code x-kubernetes-list-type} uniqueness (no Flux CRD uses them). The root's
 * {@code metadata} is the API server's and not checked here; run after {@link SchemaPruning} and
 * {@link SchemaDefaulting}.
 */
final class SchemaValidation {

    private static final Set<String> TYPE_META = Set.of("apiVersion", "kind", "metadata");
    private static final Map<String, Pattern> PATTERNS = new ConcurrentHashMap<>();
    private static final java.util.regex.Pattern IPV4 =
        java.util.regex.Pattern.compile("^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$");

    private SchemaValidation() {
    }

    /**
     * @param object the whole custom resource (after pruning and defaulting)
     * @param schema the version's {@code openAPIV3Schema}
     * @return every violation, in document order; empty when valid
     */
    static List<FieldError> validate(ObjectNode object, JsonNode schema) {
        List<FieldError> errors = new ArrayList<>();
        validate(object, schema, SchemaPath.ROOT, true, errors);
        return errors;
    }

    private static void validate(JsonNode value, JsonNode schema, SchemaPath path, boolean root,
                                 List<FieldError> errors) {
        if (schema == null || schema.isMissingNode()) {
            return;
        }
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false) && schema.has("type")) {
                errors.add(typeError(path, value, schema.get("type").asText()));
            }
            return;
        }
        if (!typeMatches(value, schema, path, errors)) {
            return;
        }
        enumCheck(value, schema, path, errors);
        if (value.isTextual()) {
            string(value.asText(), value, schema, path, errors);
        } else if (value.isNumber()) {
            number(value, schema, path, errors);
        } else if (value instanceof ArrayNode array) {
            array(array, schema, path, errors);
        } else if (value instanceof ObjectNode object) {
            object(object, schema, path, root, errors);
        }
    }

    private static boolean typeMatches(JsonNode value, JsonNode schema, SchemaPath path, List<FieldError> errors) {
        if (schema.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (value.isIntegralNumber() || value.isTextual()) {
                return true;
            }
            errors.add(typeError(path, value, "integer or string"));
            return false;
        }
        String type = schema.path("type").asText("");
        boolean ok = switch (type) {
            case "" -> true;
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber()
                || value.isFloatingPointNumber() && value.asDouble() == Math.rint(value.asDouble());
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            default -> true;
        };
        if (!ok) {
            errors.add(typeError(path, value, type));
        }
        return ok;
    }

    private static FieldError typeError(SchemaPath path, JsonNode value, String expected) {
        String actual = jsonType(value);
        return new FieldError(path.display(), path.pointer(), "FieldValueTypeInvalid",
            "Invalid value: \"" + actual + "\": " + path.display() + " in body must be of type " + expected + ": \""
                + actual + "\"");
    }

    private static String jsonType(JsonNode value) {
        if (value.isNull()) {
            return "null";
        }
        if (value.isObject()) {
            return "object";
        }
        if (value.isArray()) {
            return "array";
        }
        if (value.isTextual()) {
            return "string";
        }
        if (value.isBoolean()) {
            return "boolean";
        }
        return value.isIntegralNumber() ? "integer" : "number";
    }

    private static void enumCheck(JsonNode value, JsonNode schema, SchemaPath path, List<FieldError> errors) {
        JsonNode values = schema.get("enum");
        if (values == null || !values.isArray()) {
            return;
        }
        for (JsonNode allowed : values) {
            if (allowed.equals(value) || allowed.isNumber() && value.isNumber()
                && allowed.decimalValue().compareTo(value.decimalValue()) == 0) {
                return;
            }
        }
        List<String> shown = new ArrayList<>();
        values.forEach(v -> shown.add(FieldError.show(v)));
        errors.add(new FieldError(path.display(), path.pointer(), "FieldValueNotSupported",
            "Unsupported value: " + FieldError.show(value) + ": supported values: " + String.join(", ", shown)));
    }

    private static void string(String s, JsonNode value, JsonNode schema, SchemaPath path, List<FieldError> errors) {
        int length = s.codePointCount(0, s.length());
        if (schema.has("maxLength") && length > schema.get("maxLength").asLong()) {
            errors.add(new FieldError(path.display(), path.pointer(), "FieldValueTooLong",
                "Too long: may not be more than " + schema.get("maxLength").asLong() + " bytes"));
        }
        if (schema.has("minLength") && length < schema.get("minLength").asLong()) {
            errors.add(invalid(path, value, path.display() + " in body should be at least "
                + schema.get("minLength").asLong() + " chars long"));
        }
        if (schema.has("pattern")) {
            String regex = schema.get("pattern").asText();
            Pattern p = PATTERNS.computeIfAbsent(regex, Pattern::compile);
            if (!p.matcher(s).find()) {
                errors.add(invalid(path, value, path.display() + " in body should match '" + regex + "'"));
            }
        }
        String format = schema.path("format").asText("");
        if (!format.isEmpty() && !formatMatches(format, s)) {
            errors.add(invalid(path, value, path.display() + " in body must be of type " + format + ": "
                + FieldError.show(value)));
        }
    }

    /** @return whether {@code s} is of {@code format}; formats Kubernetes does not check always match */
    static boolean formatMatches(String format, String s) {
        try {
            switch (format) {
                case "date-time", "datetime" -> OffsetDateTime.parse(s);
                case "date" -> LocalDate.parse(s);
                case "byte" -> Base64.getDecoder().decode(s);
                case "uuid" -> {
                    if (s.length() != 36) {
                        return false;
                    }
                    UUID.fromString(s);
                }
                case "ipv4" -> {
                    return IPV4.matcher(s).matches();
                }
                case "ipv6" -> {
                    return s.contains(":") && s.matches("[0-9A-Fa-f:.]+")
                        && java.net.InetAddress.getByName(s) instanceof java.net.Inet6Address;
                }
                default -> {
                    return true;
                }
            }
            return true;
        } catch (DateTimeParseException | IllegalArgumentException | java.net.UnknownHostException e) {
            return false;
        }
    }

    private static void number(JsonNode value, JsonNode schema, SchemaPath path, List<FieldError> errors) {
        java.math.BigDecimal v = value.decimalValue();
        if (schema.has("minimum")) {
            java.math.BigDecimal min = schema.get("minimum").decimalValue();
            boolean exclusive = schema.path("exclusiveMinimum").asBoolean(false);
            int c = v.compareTo(min);
            if (c < 0 || exclusive && c == 0) {
                errors.add(invalid(path, value, path.display() + " in body should be greater than "
                    + (exclusive ? "" : "or equal to ") + plain(min)));
            }
        }
        if (schema.has("maximum")) {
            java.math.BigDecimal max = schema.get("maximum").decimalValue();
            boolean exclusive = schema.path("exclusiveMaximum").asBoolean(false);
            int c = v.compareTo(max);
            if (c > 0 || exclusive && c == 0) {
                errors.add(invalid(path, value, path.display() + " in body should be less than "
                    + (exclusive ? "" : "or equal to ") + plain(max)));
            }
        }
    }

    private static String plain(java.math.BigDecimal d) {
        return d.stripTrailingZeros().toPlainString();
    }

    private static void array(ArrayNode array, JsonNode schema, SchemaPath path, List<FieldError> errors) {
        if (schema.has("maxItems") && array.size() > schema.get("maxItems").asLong()) {
            errors.add(new FieldError(path.display(), path.pointer(), "FieldValueTooMany",
                "Too many: " + array.size() + ": must have at most " + schema.get("maxItems").asLong() + " items"));
        }
        if (schema.has("minItems") && array.size() < schema.get("minItems").asLong()) {
            errors.add(invalid(path, FieldError.show(array), path.display() + " in body should have at least "
                + schema.get("minItems").asLong() + " items"));
        }
        JsonNode items = schema.get("items");
        for (int i = 0; i < array.size(); i++) {
            validate(array.get(i), items, path.index(i), false, errors);
        }
    }

    private static void object(ObjectNode object, JsonNode schema, SchemaPath path, boolean root,
                               List<FieldError> errors) {
        for (JsonNode required : schema.path("required")) {
            String name = required.asText();
            if (!(root && TYPE_META.contains(name)) && (!object.has(name) || object.get(name).isNull()
                && !schema.path("properties").path(name).path("nullable").asBoolean(false))) {
                // reported at the field, ratcheted (on updates) by the object that lacks it, as Kubernetes does
                errors.add(new FieldError(path.property(name).display(), path.pointer(), "FieldValueRequired",
                    "Required value"));
            }
        }
        if (schema.has("maxProperties") && object.size() > schema.get("maxProperties").asLong()) {
            errors.add(new FieldError(path.display(), path.pointer(), "FieldValueTooMany",
                "Too many: " + object.size() + ": must have at most " + schema.get("maxProperties").asLong()
                    + " items"));
        }
        if (schema.has("minProperties") && object.size() < schema.get("minProperties").asLong()) {
            errors.add(invalid(path, "\"object\"", path.display() + " in body should have at least "
                + schema.get("minProperties").asLong() + " properties"));
        }
        if (schema.path("x-kubernetes-embedded-resource").asBoolean(false)) {
            for (String name : new String[] {"apiVersion", "kind"}) {
                if (!object.hasNonNull(name) || object.get(name).asText().isEmpty()) {
                    errors.add(new FieldError(path.property(name).display(), path.pointer(), "FieldValueRequired",
                        "Required value: must not be empty"));
                }
            }
        }
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.get("additionalProperties");
        object.fieldNames().forEachRemaining(name -> {
            if (root && TYPE_META.contains(name)) {
                return;
            }
            JsonNode s = properties.get(name);
            if (s != null) {
                validate(object.get(name), s, path.property(name), false, errors);
            } else if (additional != null && additional.isObject()) {
                validate(object.get(name), additional, path.key(name), false, errors);
            }
        });
    }

    private static FieldError invalid(SchemaPath path, JsonNode value, String detail) {
        return invalid(path, FieldError.show(value), detail);
    }

    private static FieldError invalid(SchemaPath path, String shownValue, String detail) {
        return new FieldError(path.display(), path.pointer(), "FieldValueInvalid",
            "Invalid value: " + shownValue + ": " + detail);
    }
}
