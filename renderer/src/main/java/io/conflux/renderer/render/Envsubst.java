package io.conflux.renderer.render;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Flux's {@code spec.postBuild} variable expansion: the bash-like parameter forms of fluxcd/pkg {@code envsubst}
 * (a fork of drone/envsubst that kustomize-controller calls from fluxcd/pkg {@code kustomize/kustomize_varsub.go}),
 * with its quirks kept, since a repository written for Flux must render the same here.
 *
 * <p>Forms, {@code v} being a name of letters, digits and {@code _}:
 * {@code ${v}}; defaults {@code ${v:=d}}, {@code ${v:-d}}, {@code ${v=d}}, {@code ${v:?d}}, {@code ${v:+d}} — every one
 * gives {@code d} when {@code v} is unset <em>or empty</em>, {@code v} otherwise (Flux maps them all to one function;
 * {@code d} may hold nested {@code ${…}}); {@code ${#v}} length in UTF-8 bytes; {@code ${v:pos}}, {@code ${v:pos:len}}
 * substring by UTF-8 byte offsets (negative {@code pos} counts from the end; a non-number leaves {@code v} as it is);
 * {@code ${v/x/y}} first, {@code ${v//x/y}} every, {@code ${v/#x/y}} leading, {@code ${v/%x/y}} trailing literal
 * {@code x} replaced by {@code y} (in these, {@code \/} is a {@code /} and {@code \\} a {@code \}; {@code /#} and
 * {@code /%} need both parts); {@code ${v#p}}, {@code ${v##p}}, {@code ${v%p}}, {@code ${v%%p}} remove the shortest or
 * longest prefix or suffix matching the glob {@code p} ({@code *} any text, {@code /} included; {@code ?};
 * {@code [a-z]}, {@code [^…]}; a malformed pattern removes nothing); {@code ${v^}}, {@code ${v^^}}, {@code ${v,}},
 * {@code ${v,,}} upper/lower case of the first or every character. Outside {@code ${…}}, {@code $$} is a literal
 * {@code $} (so {@code $${v}} gives {@code ${v}}) and {@code $v} without braces is left alone. {@code ${v-d}} and
 * {@code ${v?d}} are not forms of Flux's parser: they fail with "missing closing brace", as in Flux.
 *
 * <p>Strict mode (kustomize-controller's {@code StrictPostBuildSubstitutions}): a variable that is not defined fails
 * the expansion ({@link VariableNotSet}) unless it is read through a default form. Otherwise an undefined variable
 * is the empty string. Errors carry the variable's name, never a value.
 */
public final class Envsubst {
    private static final String BAD_SUBSTITUTION = "bad substitution";

    private Envsubst() {
    }

    /** The text cannot be parsed (Flux's envsubst parse errors: "bad substitution", "missing closing brace", …). */
    public static class EnvsubstException extends RuntimeException {
        EnvsubstException(String message) {
            super(message);
        }
    }

    /** Strict mode: {@link #variable()} is referenced without a default and not defined. */
    public static final class VariableNotSet extends EnvsubstException {
        private final String variable;

        VariableNotSet(String variable) {
            super("variable not set (strict mode): \"" + variable + "\"");
            this.variable = variable;
        }

        /** @return the undefined variable's name */
        public String variable() {
            return variable;
        }
    }

    /**
     * Expands every {@code ${…}} in {@code text}.
     *
     * @param text   any text (Conflux passes one object's YAML)
     * @param vars   defined variables by name
     * @param strict whether an undefined variable without a default fails
     * @return the expanded text
     * @throws EnvsubstException when {@code text} does not parse, or {@link VariableNotSet} in strict mode
     */
    public static String expand(String text, Map<String, String> vars, boolean strict) {
        List<Node> nodes = new Parser(text).parseAll();
        StringBuilder out = new StringBuilder(text.length());
        for (Node node : nodes) {
            out.append(evaluate(node, vars, strict));
        }
        return out.toString();
    }

    private sealed interface Node permits Text, Expr {
    }

    private record Text(String value) implements Node {
    }

    /** {@code ${param<op>args…}}; {@code op} is empty for {@code ${param}}. */
    private record Expr(String param, String op, List<Node> args) implements Node {
    }

    private static String evaluate(Node node, Map<String, String> vars, boolean strict) {
        if (node instanceof Text text) {
            return text.value();
        }
        Expr expr = (Expr) node;
        List<String> args = new ArrayList<>(expr.args().size());
        for (Node arg : expr.args()) {
            args.add(evaluate(arg, vars, strict));
        }
        String value = vars.get(expr.param());
        if (value == null) {
            if (strict && !defaultForm(expr.op())) {
                throw new VariableNotSet(expr.param());
            }
            value = "";
        }
        return Functions.apply(expr.op(), value, args);
    }

    private static boolean defaultForm(String op) {
        return switch (op) {
            case "-", "+", "=", "?", ":-", ":+", ":=", ":?" -> true;
            default -> false;
        };
    }

    /** Recursive descent over code points, following the grammar of Flux's envsubst parser. */
    private static final class Parser {
        private final int[] cps;
        private int pos;

        Parser(String text) {
            this.cps = text.codePoints().toArray();
        }

        List<Node> parseAll() {
            List<Node> nodes = new ArrayList<>();
            while (pos < cps.length) {
                if (openingBrace()) {
                    pos += 2;
                    nodes.add(expression());
                    continue;
                }
                StringBuilder text = new StringBuilder();
                while (pos < cps.length && !openingBrace()) {
                    if (at(pos, '$') && at(pos + 1, '$')) {
                        pos++;
                    }
                    text.appendCodePoint(cps[pos++]);
                }
                nodes.add(new Text(text.toString()));
            }
            return nodes;
        }

        /** After {@code ${}: one expression up to and including its {@code }}. */
        private Node expression() {
            if (at(pos, '#')) {
                pos++;
                String name = identifier();
                if (name.isEmpty()) {
                    throw new EnvsubstException(BAD_SUBSTITUTION);
                }
                closingBrace();
                return new Expr(name, "#", List.of());
            }
            String name = identifier();
            if (name.isEmpty()) {
                throw new EnvsubstException("unable to parse variable name");
            }
            int c = pos < cps.length ? cps[pos] : -1;
            switch (c) {
                case ':':
                    return at(pos + 1, '=') || at(pos + 1, '-') || at(pos + 1, '?') || at(pos + 1, '+')
                            ? defaultExpr(name) : substring(name);
                case '=':
                    return defaultExpr(name);
                case ',', '^':
                    return casing(name);
                case '/':
                    return replace(name);
                case '#', '%':
                    return remove(name, c);
                default:
                    if (!at(pos, '}')) {
                        throw new EnvsubstException("missing closing brace");
                    }
                    pos++;
                    return new Expr(name, "", List.of());
            }
        }

        private Node defaultExpr(String name) {
            String op = at(pos, '=') ? "=" : new String(cps, pos, 2);
            pos += op.length();
            List<Node> args = new ArrayList<>();
            while (!at(pos, '}')) {
                args.add(parameter(c -> c != '}', false));
            }
            pos++;
            return new Expr(name, op, args);
        }

        private Node substring(String name) {
            pos++;
            List<Node> args = new ArrayList<>();
            args.add(parameter(c -> c != ':' && c != '}', false));
            if (at(pos, '}')) {
                pos++;
                return new Expr(name, ":", args);
            }
            if (!at(pos, ':')) {
                throw new EnvsubstException(BAD_SUBSTITUTION);
            }
            while (at(pos, ':')) {
                pos++;
            }
            args.add(parameter(c -> c != '}', false));
            closingBrace();
            return new Expr(name, ":", args);
        }

        private Node remove(String name, int mark) {
            pos++;
            String op = Character.toString(mark);
            if (at(pos, mark)) {
                pos++;
                op += op;
            }
            Node pattern = parameter(c -> c != '}', false);
            closingBrace();
            return new Expr(name, op, List.of(pattern));
        }

        private Node replace(String name) {
            pos++;
            String op = "/";
            if (at(pos, '/') || at(pos, '#') || at(pos, '%')) {
                op += Character.toString(cps[pos++]);
            }
            List<Node> args = new ArrayList<>();
            args.add(parameter(c -> c != '/', true));
            if (!at(pos, '/')) {
                throw new EnvsubstException(BAD_SUBSTITUTION);
            }
            while (at(pos, '/')) {
                pos++;
            }
            if (at(pos, '}')) {
                pos++;
                return new Expr(name, op, args);
            }
            args.add(parameter(c -> c != '}', true));
            closingBrace();
            return new Expr(name, op, args);
        }

        private Node casing(String name) {
            int start = pos;
            while (pos - start < 2 && (at(pos, ',') || at(pos, '^'))) {
                pos++;
            }
            String op = new String(cps, start, pos - start);
            closingBrace();
            return new Expr(name, op, List.of());
        }

        /**
         * One argument: a nested {@code ${…}}, or text of accepted code points that stops before a {@code ${}. With
         * {@code escapes}, {@code $$}, {@code \/} and {@code \\} stand for their second character.
         */
        private Node parameter(java.util.function.IntPredicate accept, boolean escapes) {
            if (openingBrace()) {
                pos += 2;
                return expression();
            }
            StringBuilder text = new StringBuilder();
            boolean first = true;
            while (pos < cps.length && !openingBrace()) {
                if (escapes && escaped()) {
                    pos++;
                } else if (!accept.test(cps[pos])) {
                    break;
                }
                text.appendCodePoint(cps[pos++]);
                first = false;
            }
            if (first) {
                throw new EnvsubstException("unable to parse substitution within function");
            }
            return new Text(text.toString());
        }

        private boolean escaped() {
            return at(pos, '$') && at(pos + 1, '$')
                    || at(pos, '\\') && (at(pos + 1, '/') || at(pos + 1, '\\'));
        }

        private String identifier() {
            int start = pos;
            while (pos < cps.length && (Character.isLetter(cps[pos]) || Character.isDigit(cps[pos]) || cps[pos] == '_')) {
                pos++;
            }
            return new String(cps, start, pos - start);
        }

        private void closingBrace() {
            if (!at(pos, '}')) {
                throw new EnvsubstException(BAD_SUBSTITUTION);
            }
            pos++;
        }

        private boolean openingBrace() {
            return at(pos, '$') && at(pos + 1, '{');
        }

        private boolean at(int i, int c) {
            return i < cps.length && cps[i] == c;
        }
    }

    /** The value functions, by operator; Go's byte-based lengths and offsets are kept. */
    private static final class Functions {
        private Functions() {
        }

        static String apply(String op, String v, List<String> args) {
            return switch (op) {
                case "," -> v.isEmpty() ? v : mapFirst(v, false);
                case ",," -> mapAll(v, false);
                case "^" -> v.isEmpty() ? v : mapFirst(v, true);
                case "^^" -> mapAll(v, true);
                case "#" -> args.isEmpty() ? Integer.toString(v.getBytes(StandardCharsets.UTF_8).length)
                        : trimPrefix(v, args.get(0), false);
                case "##" -> trimPrefix(v, args.get(0), true);
                case "%" -> reverse(trimPrefix(reverse(v), reverse(args.get(0)), false));
                case "%%" -> reverse(trimPrefix(reverse(v), reverse(args.get(0)), true));
                case ":" -> substring(v, args);
                case "/#" -> args.size() == 2 && v.startsWith(args.get(0))
                        ? args.get(1) + v.substring(args.get(0).length()) : v;
                case "/%" -> args.size() == 2 && v.endsWith(args.get(0))
                        ? v.substring(0, v.length() - args.get(0).length()) + args.get(1) : v;
                case "/" -> replaceFirst(v, args.get(0), args.size() > 1 ? args.get(1) : "");
                case "//" -> v.replace(args.get(0), args.size() > 1 ? args.get(1) : "");
                default -> v.isEmpty() && !args.isEmpty() ? String.join("", args) : v;
            };
        }

        private static String mapFirst(String v, boolean upper) {
            int first = v.codePointAt(0);
            int mapped = upper ? Character.toUpperCase(first) : Character.toLowerCase(first);
            return new StringBuilder().appendCodePoint(mapped).append(v, Character.charCount(first), v.length()).toString();
        }

        private static String mapAll(String v, boolean upper) {
            StringBuilder out = new StringBuilder(v.length());
            v.codePoints().forEach(c -> out.appendCodePoint(upper ? Character.toUpperCase(c) : Character.toLowerCase(c)));
            return out.toString();
        }

        private static String replaceFirst(String v, String x, String y) {
            int i = v.indexOf(x);
            return i < 0 ? v : v.substring(0, i) + y + v.substring(i + x.length());
        }

        /** Go's {@code strconv.Atoi}: optional sign, decimal digits; null when it is not such a number. */
        private static Long integer(String s) {
            if (!s.matches("[+-]?[0-9]+")) {
                return null;
            }
            try {
                return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static String substring(String v, List<String> args) {
            byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
            int length = bytes.length;
            Long start = integer(args.get(0));
            if (start == null) {
                return v;
            }
            long pos = start < 0 ? Math.max(0, length + start) : start;
            if (args.size() == 1) {
                return pos < length ? utf8(Arrays.copyOfRange(bytes, (int) pos, length)) : "";
            }
            Long count = integer(args.get(1));
            if (count == null) {
                return v;
            }
            if (pos + count >= length) {
                return pos < length ? utf8(Arrays.copyOfRange(bytes, (int) pos, length)) : "";
            }
            if (count < 0) {
                // Go panics on this slice (end before start); fail the expansion instead.
                throw new EnvsubstException(BAD_SUBSTITUTION + ": negative length " + count);
            }
            return utf8(Arrays.copyOfRange(bytes, (int) pos, (int) (pos + count)));
        }

        private static String utf8(byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        private static String reverse(String s) {
            return new StringBuilder(s).reverse().toString();
        }

        /** Removes the shortest or longest non-empty prefix of {@code v} matching {@code pattern}; a bad pattern removes nothing. */
        private static String trimPrefix(String v, String pattern, boolean longest) {
            int[] cps = v.codePoints().toArray();
            int[] pat = pattern.codePoints().toArray();
            int found = -1;
            for (int end = cps.length; end >= 1; end--) {
                Boolean match = Glob.match(pat, Arrays.copyOfRange(cps, 0, end));
                if (match == null) {
                    return v;
                }
                if (match) {
                    found = end;
                    if (longest) {
                        break;
                    }
                }
            }
            return found < 0 ? v : new String(cps, found, cps.length - found);
        }
    }

    /**
     * The glob of Flux's envsubst (Go's {@code path.Match} altered so that {@code *} and {@code ?} also match
     * {@code /}, and a trailing {@code *} matches the rest): {@code *}, {@code ?}, {@code [ranges]}, {@code [^ranges]},
     * {@code \c}. Matching is chunk by chunk, each at its first position after a star, as Go's is.
     */
    static final class Glob {
        private Glob() {
        }

        /** @return whether {@code name} matches, null for a malformed pattern */
        static Boolean match(int[] pattern, int[] name) {
            int p = 0;
            int n = 0;
            while (p < pattern.length) {
                boolean star = false;
                while (p < pattern.length && pattern[p] == '*') {
                    p++;
                    star = true;
                }
                int chunkEnd = chunkEnd(pattern, p);
                int[] chunk = Arrays.copyOfRange(pattern, p, chunkEnd);
                p = chunkEnd;
                if (star && chunk.length == 0) {
                    return true;
                }
                boolean last = p >= pattern.length;
                int rest = matchChunk(chunk, name, n);
                if (rest >= 0 && (rest == name.length || !last)) {
                    n = rest;
                    continue;
                }
                if (rest == BAD) {
                    return null;
                }
                boolean advanced = false;
                if (star) {
                    for (int i = n; i < name.length; i++) {
                        int r = matchChunk(chunk, name, i + 1);
                        if (r >= 0) {
                            if (last && r < name.length) {
                                continue;
                            }
                            n = r;
                            advanced = true;
                            break;
                        }
                        if (r == BAD) {
                            return null;
                        }
                    }
                }
                if (!advanced) {
                    return false;
                }
            }
            return n == name.length;
        }

        private static final int NO = -1;
        private static final int BAD = -2;

        private static int chunkEnd(int[] pattern, int from) {
            boolean inRange = false;
            int i = from;
            for (; i < pattern.length; i++) {
                int c = pattern[i];
                if (c == '\\') {
                    if (i + 1 < pattern.length) {
                        i++;
                    }
                } else if (c == '[') {
                    inRange = true;
                } else if (c == ']') {
                    inRange = false;
                } else if (c == '*' && !inRange) {
                    break;
                }
            }
            return i;
        }

        /** @return the index in {@code s} after the chunk's match at {@code at}, {@link #NO} or {@link #BAD} */
        private static int matchChunk(int[] chunk, int[] s, int at) {
            int c = 0;
            int i = at;
            while (c < chunk.length) {
                if (i >= s.length) {
                    return NO;
                }
                switch (chunk[c]) {
                    case '[' -> {
                        int r = s[i++];
                        c++;
                        boolean negated = c < chunk.length && chunk[c] == '^';
                        if (negated) {
                            c++;
                        }
                        boolean matched = false;
                        int ranges = 0;
                        while (true) {
                            if (c < chunk.length && chunk[c] == ']' && ranges > 0) {
                                c++;
                                break;
                            }
                            int[] lo = escapedChar(chunk, c);
                            if (lo == null) {
                                return BAD;
                            }
                            c = lo[1];
                            int hi = lo[0];
                            if (c >= chunk.length) {
                                return BAD;
                            }
                            if (chunk[c] == '-') {
                                int[] h = escapedChar(chunk, c + 1);
                                if (h == null) {
                                    return BAD;
                                }
                                hi = h[0];
                                c = h[1];
                            }
                            if (lo[0] <= r && r <= hi) {
                                matched = true;
                            }
                            ranges++;
                        }
                        if (matched == negated) {
                            return NO;
                        }
                    }
                    case '?' -> {
                        i++;
                        c++;
                    }
                    default -> {
                        if (chunk[c] == '\\') {
                            c++;
                            if (c >= chunk.length) {
                                return BAD;
                            }
                        }
                        if (chunk[c] != s[i]) {
                            return NO;
                        }
                        i++;
                        c++;
                    }
                }
            }
            return i;
        }

        /** @return {character, next index} of a class member, null when malformed */
        private static int[] escapedChar(int[] chunk, int c) {
            if (c >= chunk.length || chunk[c] == '-' || chunk[c] == ']') {
                return null;
            }
            if (chunk[c] == '\\') {
                c++;
                if (c >= chunk.length) {
                    return null;
                }
            }
            return new int[]{chunk[c], c + 1};
        }
    }
}
