package io.conflux.applier.cel;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.validator.CelValidatorFactory;
import dev.cel.validator.validators.HomogeneousLiteralValidator;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flux's CEL environment on Google's cel-java, as fluxcd/pkg {@code runtime/cel.NewExpression} builds it on cel-go:
 * the standard macros, cross-type numeric comparisons, optional types, the {@code strings}, {@code sets} and
 * {@code encoders} extensions, and homogeneous aggregate literals for compiled expressions (a type-checker rule, so,
 * as in cel-go, not for parsed-only ones). Two ways in, as Flux's two callers:
 * <ul>
 *   <li>{@link #parse} for {@code spec.healthCheckExprs}: parsed only, not type-checked (Flux's status evaluator cannot
 *       declare the variables, since a custom resource may have any top-level fields): every top-level field of the
 *       object is a variable, and a reference to a field the object lacks fails at evaluation ("No such
 *       attribute(s)"), not at parse time;</li>
 *   <li>{@link #compileBool} for {@code spec.dependsOn[].readyExpr}: compiled (type-checked) with the named variables
 *       declared as {@code google.protobuf.Struct}-like maps ({@code map(string, dyn)}) and a bool result, so an
 *       unknown variable such as {@code deps} fails up front.</li>
 * </ul>
 * Programs are built once per expression and kept in a bounded cache ({@value #CACHED_PROGRAMS} entries). A
 * comprehension (e.g. {@code all}, {@code filter}) stops after {@value #MAX_ITERATIONS} iterations with an evaluation
 * error, where cel-go bounds the work with a context deadline. Thread-safe.
 */
public final class FluxCel {
    /** How many programs are cached; beyond, the least recently used are built again when needed. */
    static final int CACHED_PROGRAMS = 1000;
    /** The most iterations of one comprehension (cel-java's {@code comprehensionMaxIterations}). */
    static final int MAX_ITERATIONS = 100_000;

    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .enableOptionalSyntax(true)
            .comprehensionMaxIterations(MAX_ITERATIONS)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.plannerRuntimeBuilder()
            .setOptions(OPTIONS)
            .addLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS), CelExtensions.encoders(OPTIONS),
                    CelExtensions.optional())
            .build();
    private static final CelCompiler PARSER = compiler().build();
    private static final Cache<String, CelRuntime.Program> PROGRAMS = CacheBuilder.newBuilder()
            .maximumSize(CACHED_PROGRAMS).build();

    private FluxCel() {
    }

    /**
     * Parses a health check expression (not type-checked), as fluxcd/pkg's {@code NewStatusEvaluator}.
     *
     * @param field  the field holding it, e.g. {@code spec.healthCheckExprs[0].current}, for messages
     * @param source the expression
     * @return the expression, to evaluate over an object's top-level fields
     * @throws CelExpressionException naming {@code field} when it is empty or does not parse (with cel-java's issues:
     *                                line, column and a caret under the error)
     */
    public static CelExpression parse(String field, String source) throws CelExpressionException {
        return new CelExpression(field, source, program("parse\0" + source, field, source, () -> PARSER.parse(source).getAst()));
    }

    /**
     * Compiles a bool expression over {@code variables}, each a map of string to any value (a whole object), as
     * fluxcd/pkg's {@code NewExpression(expr, WithCompile(), WithOutputType(BoolType), WithStructVariables(...))}.
     *
     * @param field     the field holding it, e.g. {@code spec.dependsOn[0].readyExpr}, for messages
     * @param source    the expression
     * @param variables the variables' names, e.g. {@code self}, {@code dep}
     * @return the expression
     * @throws CelExpressionException naming {@code field} when it is empty, does not compile (syntax, an undeclared
     *                                variable, a type error) or does not yield a bool
     */
    public static CelExpression compileBool(String field, String source, String... variables) throws CelExpressionException {
        String key = "bool\0" + String.join(",", variables) + "\0" + source;
        return new CelExpression(field, source, program(key, field, source, () -> {
            CelCompilerBuilder builder = compiler().setResultType(SimpleType.BOOL);
            for (String v : variables) {
                builder.addVar(v, MapType.create(SimpleType.STRING, SimpleType.DYN));
            }
            CelCompiler compiler = builder.build();
            CelAbstractSyntaxTree ast = CelValidatorFactory.standardCelValidatorBuilder(compiler, RUNTIME)
                    .addAstValidators(HomogeneousLiteralValidator.newInstance()).build()
                    .validate(compiler.compile(source).getAst()).getAst();
            if (!ast.getResultType().equals(SimpleType.BOOL)) {
                throw new IllegalArgumentException("the CEL expression yields " + ast.getResultType().name() + ", not a bool");
            }
            return ast;
        }));
    }

    /** The step that turns source into an AST, failing with cel-java's validation issues. */
    @FunctionalInterface
    private interface AstStep {
        CelAbstractSyntaxTree ast() throws CelValidationException;
    }

    private static CelRuntime.Program program(String key, String field, String source, AstStep step)
            throws CelExpressionException {
        if (source == null || source.isBlank()) {
            throw new CelExpressionException(field, "the CEL expression is empty");
        }
        CelRuntime.Program cached = PROGRAMS.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        try {
            CelRuntime.Program program = RUNTIME.createProgram(step.ast());
            PROGRAMS.put(key, program);
            return program;
        } catch (CelValidationException e) {
            throw new CelExpressionException(field, "failed to parse the CEL expression: " + e.getMessage());
        } catch (CelEvaluationException | IllegalArgumentException | IllegalStateException e) {
            throw new CelExpressionException(field, "failed to create the CEL program: " + e.getMessage());
        }
    }

    private static CelCompilerBuilder compiler() {
        return CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addLibraries(CelExtensions.strings(), CelExtensions.sets(OPTIONS), CelExtensions.encoders(OPTIONS),
                        CelExtensions.optional());
    }

    /**
     * @return {@code tree} with the numbers CEL knows ({@code int} as {@link Long}, {@code double} as {@link Double})
     *         and string map keys, as Kubernetes' unstructured objects hold them; other leaves are kept
     */
    static Map<String, Object> normalize(Map<String, ?> tree) {
        Map<String, Object> out = new LinkedHashMap<>();
        tree.forEach((k, v) -> out.put(k, value(v)));
        return out;
    }

    private static Object value(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), value(x)));
            return out;
        }
        if (v instanceof Iterable<?> items) {
            List<Object> out = new ArrayList<>();
            items.forEach(x -> out.add(value(x)));
            return out;
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
        }
        if (v instanceof BigDecimal d) {
            return d.doubleValue();
        }
        return v;
    }
}
