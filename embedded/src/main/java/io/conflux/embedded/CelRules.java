package io.conflux.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The {@code x-kubernetes-validations} rules of a CRD schema, evaluated as kube-apiserver does, with Google's CEL for
 * Java ({@code dev.cel:cel}): each rule of a schema node is evaluated with {@code self} bound to the value at that
 * node (objects as maps, arrays as lists, integers as {@code int}, numbers as {@code double}); a rule naming
 * {@code oldSelf} is a transition rule, evaluated only on an update and only where the old object has a value at
 * the same place (through object properties and map keys; list items do not correlate, as for Kubernetes' atomic
 * lists). A rule that is false is a cause with the rule's {@code reason} (default {@code FieldValueInvalid}), its
 * {@code messageExpression} or {@code message} (default {@code failed rule: RULE}), at the node's field path plus
 * the rule's {@code fieldPath}.
 *
 * <p>The environment has CEL's standard library, macros and the strings extension. A rule that does not compile here
 * (e.g. a Kubernetes library function such as {@code isURL} or {@code quantity} that cel-java lacks) is skipped with
 * one logged warning naming the rule; the rules of Flux v2.7's CRDs all compile. Rules with
 * {@code optionalOldSelf: true} are evaluated only on updates where an old value exists.
 */
final class CelRules {

    private static final Logger LOG = Logger.getLogger(CelRules.class);
    private static final Pattern OLD_SELF = Pattern.compile("\\boldSelf\\b");

    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addLibraries(CelExtensions.strings())
        .addVar("self", SimpleType.DYN)
        .addVar("oldSelf", SimpleType.DYN)
        .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
        .addLibraries(CelExtensions.strings())
        .build();

    /** A compiled rule, or empty when it does not compile here (skipped). */
    private static final Map<String, Optional<CelRuntime.Program>> PROGRAMS = new ConcurrentHashMap<>();

    private CelRules() {
    }

    /**
     * @param object    the new object (after pruning and defaulting)
     * @param oldObject the stored object on an update, else null
     * @param schema    the version's {@code openAPIV3Schema}
     * @return the causes of the rules that do not hold, in document order
     */
    static List<FieldError> evaluate(ObjectNode object, ObjectNode oldObject, JsonNode schema) {
        List<FieldError> errors = new ArrayList<>();
        walk(object, oldObject, schema, SchemaPath.ROOT, errors);
        return errors;
    }

    /** @return the rule's program, empty (and logged once) when cel-java cannot compile it */
    static Optional<CelRuntime.Program> program(String rule) {
        return PROGRAMS.computeIfAbsent(rule, r -> {
            try {
                CelAbstractSyntaxTree ast = COMPILER.compile(r).getAst();
                return Optional.of(RUNTIME.createProgram(ast));
            } catch (CelValidationException | CelEvaluationException e) {
                LOG.warnf("x-kubernetes-validations rule skipped, cel-java cannot compile it: %s (%s)", r,
                    e.getMessage().lines().findFirst().orElse(""));
                return Optional.empty();
            }
        });
    }

    private static void walk(JsonNode value, JsonNode old, JsonNode schema, SchemaPath path, List<FieldError> errors) {
        if (schema == null || value == null || value.isNull()) {
            return;
        }
        if (value instanceof ObjectNode object) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.get("additionalProperties");
            object.fieldNames().forEachRemaining(name -> {
                if (path == SchemaPath.ROOT && name.equals("metadata")) {
                    return;
                }
                JsonNode s = properties.get(name);
                SchemaPath p = path.property(name);
                if (s == null && additional != null && additional.isObject()) {
                    s = additional;
                    p = path.key(name);
                }
                walk(object.get(name), old == null ? null : old.get(name), s, p, errors);
            });
        } else if (value instanceof ArrayNode array && schema.has("items")) {
            for (int i = 0; i < array.size(); i++) {
                walk(array.get(i), null, schema.get("items"), path.index(i), errors);
            }
        }
        for (JsonNode rule : schema.path("x-kubernetes-validations")) {
            check(rule, value, old, schema, path).ifPresent(errors::add);
        }
    }

    private static Optional<FieldError> check(JsonNode rule, JsonNode value, JsonNode old, JsonNode schema,
                                              SchemaPath path) {
        String text = rule.path("rule").asText();
        boolean transition = OLD_SELF.matcher(text).find();
        if (transition && (old == null || old.isNull())) {
            return Optional.empty();
        }
        Optional<CelRuntime.Program> program = program(text);
        if (program.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> vars = new HashMap<>();
        vars.put("self", toCel(value));
        if (transition) {
            vars.put("oldSelf", toCel(old));
        }
        String type = schema.path("type").asText("object");
        String message;
        try {
            Object result = program.get().eval(vars);
            if (Boolean.TRUE.equals(result)) {
                return Optional.empty();
            }
            message = message(rule, vars);
        } catch (CelEvaluationException e) {
            message = text + ": evaluation error: " + e.getMessage();
        }
        String fieldPath = rule.path("fieldPath").asText("");
        String field = path.display();
        if (!fieldPath.isEmpty()) {
            field = path.field().isEmpty() ? fieldPath.replaceFirst("^\\.", "") : path.field() + fieldPath;
        }
        String reason = rule.path("reason").asText("FieldValueInvalid");
        String body = switch (reason) {
            case "FieldValueForbidden" -> "Forbidden: " + message;
            case "FieldValueRequired" -> "Required value: " + message;
            case "FieldValueDuplicate" -> "Duplicate value: \"" + type + "\"";
            default -> "Invalid value: \"" + type + "\": " + message;
        };
        return Optional.of(new FieldError(field, path.pointer(), reason, body));
    }

    private static String message(JsonNode rule, Map<String, Object> vars) {
        String expression = rule.path("messageExpression").asText("");
        if (!expression.isEmpty()) {
            Optional<CelRuntime.Program> p = program(expression);
            if (p.isPresent()) {
                try {
                    if (p.get().eval(vars) instanceof String s && !s.isBlank()) {
                        return s;
                    }
                } catch (CelEvaluationException e) {
                    LOG.debugf("messageExpression %s failed: %s", expression, e.getMessage());
                }
            }
        }
        String message = rule.path("message").asText("");
        return message.isEmpty() ? "failed rule: " + rule.path("rule").asText() : message;
    }

    /** @return the CEL value of a JSON value: maps, lists, {@code long}, {@code double}, strings, booleans, null */
    static Object toCel(JsonNode node) {
        if (node == null || node.isNull()) {
            return dev.cel.common.values.NullValue.NULL_VALUE;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), toCel(e.getValue())));
            return map;
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            node.forEach(item -> list.add(toCel(item)));
            return list;
        }
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        return node.asText();
    }
}
