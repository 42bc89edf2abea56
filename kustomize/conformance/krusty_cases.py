#!/usr/bin/env python3
"""Turns kustomize's own krusty tests and examples into conformance cases.

Reads a kustomize git directory (``git --git-dir=GIT show TAG:path``), interprets each test function
of ``api/krusty/*_test.go`` far enough to recover what it does with the test harness, and writes one
case directory per build it runs, in the layout of ``../shared/conformance/kustomize/cases``:

* ``input/``         the file tree the test wrote (``th.WriteK``/``WriteC``/``WriteF``/``WriteLegacyConfigs``);
* ``cmd``            the directory built, relative to ``input/``;
* ``expected.yaml``  the stream the test asserts (``th.AssertActualEqualsExpected*``), or
* ``expected-error`` (instead) the message fragments the test asserts about ``th.RunWithErr``'s error;
* ``options``        ``key=value`` lines for the build options that differ from ``kubectl kustomize``:
                     ``reorder=none`` (krusty's ``MakeDefaultOptions`` keeps input order);
* ``excluded``       (optional) why the case is not run: exec or Go plugins, network, the helm binary.

Tests whose shape this interpreter does not follow are listed in ``unparsed.tsv`` with the reason. A build the
test checks only in Go code (a name, or that it succeeds) gets the reference kubectl's stream as its expectation,
checked against the names the Go code asserts. ``examples/*.md`` become cases too (their shell blocks replayed as
a shell reads them; the expected stream is the reference's).

Only Go's lexical grammar and a handful of statement shapes are handled: string literals (raw and
interpreted), ``+`` concatenation, constants and variables of the file or function, ``filepath.Join``,
calls of helper functions of the same package that take the harness, and ``t.Run`` subtests run in line.

Usage: krusty_cases.py GIT_DIR TAG OUT_DIR [--reference KUBECTL]
"""

import os
import re
import shutil
import subprocess
import sys

# --------------------------------------------------------------------------------------------- lexing

TOKEN = re.compile(r'''
    (?P<ws>[ \t\r]+)
  | (?P<nl>\n)
  | (?P<lcomment>//[^\n]*)
  | (?P<bcomment>/\*.*?\*/)
  | (?P<raw>`[^`]*`)
  | (?P<str>"(?:\\.|[^"\\\n])*")
  | (?P<rune>'(?:\\.|[^'\\\n])+')
  | (?P<num>\d[\w.]*)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<op>:=|\.\.\.|&&|\|\||==|!=|<=|>=|<-|\+\+|--|[-+*/%&|^<>=!(){}\[\],;:.])
''', re.S | re.X)


class Tok:
    __slots__ = ('kind', 'text', 'line')

    def __init__(self, kind, text, line):
        self.kind, self.text, self.line = kind, text, line

    def __repr__(self):
        return f'{self.kind}:{self.text!r}'


def lex(src):
    toks, pos, line = [], 0, 1
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if not m:
            raise ValueError(f'cannot lex at line {line}: {src[pos:pos + 20]!r}')
        kind, text = m.lastgroup, m.group()
        if kind == 'bcomment' and '\n' in text:
            toks.append(Tok('nl', '\n', line))
        elif kind not in ('ws', 'lcomment', 'bcomment'):
            toks.append(Tok(kind, text, line))
        line += text.count('\n')
        pos = m.end()
    return toks


def go_string(tok):
    if tok.kind == 'raw':
        return tok.text[1:-1].replace('\r', '')
    body = tok.text[1:-1]
    # Go's interpreted string escapes are those of Python's for the shapes used in tests
    return body.encode('latin-1', 'backslashreplace').decode('unicode_escape') if '\\' in body else body


class Unparsed(Exception):
    """The test's shape is outside what this interpreter follows."""


class Excluded(Exception):
    """The test needs something the engine refuses by design (exec/Go plugins, network, helm)."""


# --------------------------------------------------------------------------------------------- files


def matching(toks, i):
    """Index of the bracket closing toks[i]."""
    pairs = {'(': ')', '{': '}', '[': ']'}
    close, depth = pairs[toks[i].text], 0
    for j in range(i, len(toks)):
        t = toks[j].text if toks[j].kind == 'op' else None
        if t == toks[i].text:
            depth += 1
        elif t == close:
            depth -= 1
            if depth == 0:
                return j
    raise ValueError('unbalanced bracket at line %d' % toks[i].line)


class GoFile:
    def __init__(self, name, src):
        self.name = name
        self.toks = lex(src)
        self.funcs = {}    # name -> (params [names], body token list)
        self.consts = {}   # name -> token list of its expression
        self.results = {}  # function name -> its named results ([] when unnamed)
        self.imports = {}  # package name -> import path
        self._scan()
        self._scan_imports()

    def _scan(self):
        t, i = self.toks, 0
        while i < len(t):
            if t[i].kind == 'ident' and t[i].text == 'func' and i + 1 < len(t) and t[i + 1].kind == 'ident':
                name = t[i + 1].text
                p = i + 2
                pe = matching(t, p)
                params = self._params(t[p + 1:pe])
                j = pe + 1
                while not (t[j].kind == 'op' and t[j].text == '{'):
                    j += 1
                end = matching(t, j)
                self.funcs[name] = (params, t[j + 1:end])
                self.results[name] = self._results(t[pe + 1:j])
                i = end + 1
            elif t[i].kind == 'ident' and t[i].text in ('const', 'var') and (i == 0 or t[i - 1].kind == 'nl'):
                if t[i + 1].text == '(':
                    end = matching(t, i + 1)
                    self._decls(t[i + 2:end])
                    i = end + 1
                else:
                    j = i + 1
                    while j < len(t) and t[j].kind != 'nl':
                        if t[j].kind == 'op' and t[j].text in '([{':
                            j = matching(t, j)  # a composite literal over several lines: []byte{ … }
                        j += 1
                    j = self._extend_expr(t, j)
                    self._decls(t[i + 1:j])
                    i = j
            else:
                i += 1

    @staticmethod
    def _extend_expr(t, j):
        # an expression continues over a newline after '+' or ','
        while j < len(t) and t[j].kind == 'nl' and t[j - 1].kind == 'op' and t[j - 1].text in '+,(':
            j += 1
            while j < len(t) and t[j].kind != 'nl':
                if t[j].kind == 'op' and t[j].text in '([{':
                    j = matching(t, j)
                j += 1
        return j

    def _scan_imports(self):
        """``import ( alias "path" )``: package name (the alias, else the path's last element) -> import path."""
        t = self.toks
        for i, k in enumerate(t):
            if k.kind == 'ident' and k.text == 'import' and i + 1 < len(t):
                items = t[i + 2:matching(t, i + 1)] if t[i + 1].text == '(' else [t[i + 1]]
                alias = None
                for x in items:
                    if x.kind == 'ident':
                        alias = x.text
                    elif x.kind == 'str':
                        path = go_string(x)
                        self.imports[alias or path.rsplit('/', 1)[-1]] = path
                        alias = None
                break

    def _decls(self, toks):
        lines, cur, depth = [], [], 0
        for k in toks:
            if k.kind == 'op' and k.text in '([{':
                depth += 1
            elif k.kind == 'op' and k.text in ')]}':
                depth -= 1
            if k.kind == 'nl' and depth > 0:
                continue
            if k.kind == 'nl' and not (cur and cur[-1].kind == 'op' and cur[-1].text == '+'):
                if cur:
                    lines.append(cur)
                cur = []
            elif k.kind != 'nl':
                cur.append(k)
        if cur:
            lines.append(cur)
        for ln in lines:
            if len(ln) >= 3 and ln[0].kind == 'ident' and ln[1].text == '=':
                self.consts[ln[0].text] = ln[2:]
            elif len(ln) >= 4 and ln[0].kind == 'ident' and ln[2].text == '=':  # typed: name T = expr
                self.consts[ln[0].text] = ln[3:]

    @staticmethod
    def _results(toks):
        """The names of a function's named results (``(result []byte)``); [] for unnamed ones."""
        toks = [k for k in toks if k.kind != 'nl']
        if not toks or toks[0].text != '(':
            return []
        return [g[0].text for g in split_args(toks[1:matching(toks, 0)])
                if len([k for k in g if k.kind != 'nl']) >= 2 and g[0].kind == 'ident']

    @staticmethod
    def _params(toks):
        names, groups, cur = [], [], []
        for k in toks:
            if k.kind == 'op' and k.text == ',':
                groups.append(cur)
                cur = []
            elif k.kind != 'nl':
                cur.append(k)
        if cur:
            groups.append(cur)
        for g in groups:
            if g and g[0].kind == 'ident':
                names.append(g[0].text)
        return names


# --------------------------------------------------------------------------------------------- interpreting


class Case:
    """One build of a test: its input tree, directory, options and expectation. ``go_checked`` marks a build whose
    output the test checks in Go code only (a name, or just that it succeeds): its expected stream is the reference
    kubectl's, which must pass those checks (``go_names``: names the output must have)."""
    def __init__(self, name):
        self.name = name
        self.files = {}
        self.dir = None
        self.expected = None
        self.error = None
        self.options = {}
        self.excluded = None
        self.remote = {}  # URL -> content, served to the case offline (remote/http.tsv)
        self.executables = set()
        self.go_checked = False
        self.go_names = []
        self.plugins = {}  # path under the plugin home -> content: legacy exec plugins (plugins/, executable)
        self.repos = {}    # (repository, ref) -> {path: content}: remote roots vendored from the snapshot (remote/git/)
        self.contains = None  # the fragment the output must contain (assert.Contains on the built stream)


class Closure:
    def __init__(self, toks):
        self.toks = toks


class Elem:
    """One element of a table test's composite literal: its fields' expressions, evaluated when used."""
    def __init__(self, fields, env):
        self.fields = fields  # name -> tokens
        self.env = env


class FuncName:
    """A package function named as a value (a table's ``[]FileGen{writeA, writeB}``)."""
    def __init__(self, name):
        self.name = name


class FuncCall:
    """A call of a package function that returns a function of the harness (``writeK("prod", `…`)`` returning a
    ``FileGen``), its arguments evaluated where the call is written; applied to the harness later (``f(th)``)."""
    def __init__(self, name, args):
        self.name = name
        self.args = args  # the argument values (strings)


class Table:
    """A table test's slice or map literal: (key or None, Elem) in source order."""
    def __init__(self, items):
        self.items = items


def match_back(toks, end):
    """The index of the opening bracket matching the closing one at ``end``."""
    depth = 0
    for j in range(end, -1, -1):
        t = toks[j]
        if t.kind == 'op' and t.text in ')]}':
            depth += 1
        elif t.kind == 'op' and t.text in '([{':
            depth -= 1
            if depth == 0:
                return j
    raise Unparsed('unbalanced brackets')


def top_split(toks, sep):
    """Splits tokens at top-level ``sep`` operators."""
    parts, cur, depth = [], [], 0
    for k in toks:
        if k.kind == 'op' and k.text in '([{':
            depth += 1
        elif k.kind == 'op' and k.text in ')]}':
            depth -= 1
        if depth == 0 and k.kind == 'op' and k.text == sep:
            parts.append(cur)
            cur = []
        else:
            cur.append(k)
    if any(k.kind != 'nl' for k in cur):
        parts.append(cur)
    return [[k for k in p if k.kind != 'nl'] for p in parts if any(k.kind != 'nl' for k in p)]


class Interp:
    pkg_git = None
    pkg_tag = None

    """Walks a test body, recording the files written and the builds run with their expectations."""

    def __init__(self, package, gofile, test):
        self.pkg = package          # name -> GoFile holding every function/const of the package
        self.file = gofile
        self.test = test
        self.files = {}
        self.cases = []
        self.pending = None         # the last Run, waiting for its assertion
        self.pending_err = None     # the last RunWithErr, waiting for the asserted message
        self.options = {}
        self.excluded = None
        self.harness_vars = set()
        self.skipped = None
        self.optvars = {}
        self.in_loop = False
        self.fresh_harness = False
        self.helm = False           # a helm test: its builds inflate charts (options helm=enabled)
        self.executables = set()    # files the test made executable (os.Chmod): exec KRM functions
        self.plugins = {}           # legacy exec plugins the harness prepared (PrepExecPlugin): home path -> content
        self.go_plugins = []        # Go plugins the harness built (BuildGoPlugin): needed only with plugins enabled
        self.kustomizers = {}       # b := krusty.MakeKustomizer(opts): variable -> options (kustomizer_test.go too)

    @staticmethod
    def make_options(method):
        o = {'reorder': 'none'}
        if method == 'MakeOptionsPluginsEnabled':
            o['plugins'] = 'enabled'
        elif method not in ('MakeDefaultOptions', 'MakeOptionsPluginsDisabled'):
            raise Unparsed('build options ' + method)
        return o

    @staticmethod
    def set_option(o, field, value):
        if field == 'LoadRestrictions':
            o['loadRestrictor'] = {'LoadRestrictionsNone': 'none', 'LoadRestrictionsRootOnly': 'rootOnly'}[value]
        elif field == 'Reorder':
            o['reorder'] = {'ReorderOptionLegacy': 'legacy', 'ReorderOptionNone': 'none',
                            'ReorderOptionUnspecified': 'unspecified'}[value]
        elif field == 'AddManagedbyLabel' and value in ('true', 'false'):
            if value == 'true':
                o['managedByLabel'] = 'true'
        else:
            raise Unparsed('option ' + field + ' = ' + value)

    def options_of(self, toks, env):
        texts = [k.text for k in toks if k.kind != 'nl']
        if len(texts) == 1 and texts[0] in self.optvars:
            return dict(self.optvars[texts[0]])
        if len(texts) == 5 and texts[1] == '.' and texts[3] == '(':
            return self.make_options(texts[2])
        if texts[:2] == ['func', '('] and '{' in texts:
            body = [k for k in toks if k.kind != 'nl' or True]
            i = next(j for j, k in enumerate(body) if k.text == '{')
            end = matching(body, i)
            saved = dict(self.optvars)
            for st in statements(body[i + 1:end]):
                st_t = [k.text for k in st]
                if st_t[0] == 'return' and len(st_t) == 2 and st_t[1] in self.optvars:
                    o = self.optvars[st_t[1]]
                    self.optvars = saved
                    return dict(o)
                self.stmt(st, env)
            raise Unparsed('options function without return')
        raise Unparsed('build options ' + ' '.join(texts)[:40])

    # -- values
    def const(self, name, env):
        if name in env:
            if isinstance(env[name], (Elem, Table, Closure)):
                raise Unparsed('a table value used as a string: ' + name)
            return env[name]
        if name in ('true', 'false'):
            return name
        for f in [self.file] + list(self.pkg.values()):
            if name in f.consts:
                return self.eval(f.consts[name], {})
        raise Unparsed(f'unknown identifier {name}')

    def eval(self, toks, env):
        toks = [k for k in toks if k.kind != 'nl']
        if not toks:
            raise Unparsed('empty expression')
        parts, depth, cur = [], 0, []
        for k in toks:
            if k.kind == 'op' and k.text in '([{':
                depth += 1
            elif k.kind == 'op' and k.text in ')]}':
                depth -= 1
            if depth == 0 and k.kind == 'op' and k.text == '+':
                parts.append(cur)
                cur = []
            else:
                cur.append(k)
        parts.append(cur)
        return ''.join(self.primary(p, env) for p in parts)

    def primary(self, toks, env):
        if len(toks) == 1:
            k = toks[0]
            if k.kind in ('raw', 'str'):
                return go_string(k)
            if k.kind == 'ident':
                return self.const(k.text, env)
        if toks[0].kind == 'op' and toks[0].text == '(' and matching(toks, 0) == len(toks) - 1:
            return self.eval(toks[1:-1], env)
        if len(toks) > 3 and toks[0].text in ('string', '[]byte') and toks[1].text == '(':
            return self.eval(toks[2:-1], env)
        callee = ''.join(k.text for k in toks[:3]) if len(toks) > 3 else ''
        if callee in ('filepath.Join', 'path.Join', 'th.Join') and toks[3].text == '(':
            args = self.args(toks[3:], env)
            return os.path.normpath('/'.join(a for a in args if a)) if args else ''
        if callee == 'strings.ReplaceAll':
            a = split_args(toks[4:-1])
            return self.eval(a[0], env).replace(self.eval(a[1], env), self.eval(a[2], env))
        if callee == 'strings.Repeat':
            a = split_args(toks[4:-1])
            return self.eval(a[0], env) * int(a[1][0].text)
        if callee == 'fmt.Sprintf':
            a = split_args(toks[4:-1])
            fmt = self.eval(a[0], env)
            vals = [self.eval(x, env) for x in a[1:]]
            if re.search(r'%[^sv%]', fmt):
                raise Unparsed('fmt.Sprintf with a non-%s verb')
            it = iter(vals)
            return re.sub(r'%[sv%]', lambda m: '%' if m.group() == '%%' else next(it), fmt)
        if len(toks) == 3 and toks[0].kind == 'ident' and toks[1].text == '.' and isinstance(env.get(toks[0].text), Elem):
            elem = env[toks[0].text]
            if toks[2].text not in elem.fields:
                return ''  # a field left out of a literal: Go's zero value
            return self.eval(elem.fields[toks[2].text], elem.env)
        if len(toks) == 3 and toks[0].kind == 'ident' and toks[1].text == '.' and toks[2].text == 'Root':
            return '/'
        # exec/helm tests: the harness's root (th.GetRoot()) and a temporary directory (tmpDir.String())
        if len(toks) == 5 and [k.text for k in toks[1:]] == ['.', 'GetRoot', '(', ')']:
            return '/'
        if len(toks) == 5 and [k.text for k in toks[1:]] == ['.', 'String', '(', ')'] and toks[0].text in env:
            return env[toks[0].text]
        value = self.other_value(toks, env)
        if isinstance(value, str):
            return value
        raise Unparsed('expression ' + ' '.join(k.text for k in toks)[:60])

    def args(self, toks, env):
        assert toks[0].text == '('
        end = matching(toks, 0)
        return [self.eval(a, env) for a in split_args(toks[1:end])]

    # -- statements
    def run(self, body, env):
        stmts = statements(body)
        for s in stmts:
            self.stmt(s, env)

    def stmt(self, s, env):
        texts = [k.text for k in s]
        if not s:
            return
        head = texts[0]
        if head in ('for',):
            self.for_stmt(s, env)
            return
        if head == 'type':
            return  # a struct type for a table test: its literals are read field by field
        nt = [k.text for k in s if k.kind != 'nl']
        if len(nt) == 6 and nt[1] == ':=' and nt[3] == '[' and nt[5] == ']' and isinstance(env.get(nt[2]), Table):
            # c := cases[name]
            key = self.eval([k for k in s if k.kind != 'nl'][4:5], env)
            env[nt[0]] = next(e for k, e in env[nt[2]].items if k == key)
            return
        if len(texts) > 3 and s[0].kind == 'ident' and texts[1] in (':=', '=') and self.is_table_literal(s[2:]):
            env[texts[0]] = self.table(s[2:], env)
            return
        if head in ('switch', 'select', 'go', 'defer'):
            if head == 'defer':
                return
            raise Unparsed(head + ' statement')
        if head == 'if':
            self.if_stmt(s, env)
            return
        if head == 'return':
            raise StopIteration
        if len(texts) > 8 and texts[1] == ',' and texts[3] == ':=' and texts[4:7] == ['os', '.', 'ReadFile']:
            rel = self.eval([s[8]], env)
            env[texts[0]] = git_out(self.pkg_git, 'show', f'{self.pkg_tag}:api/krusty/{os.path.normpath(rel)}')
            return
        if head == 'const':
            if len(texts) > 3 and texts[2] == '=':
                env[texts[1]] = self.eval(s[3:], env)
                return
            raise Unparsed('const block in a function')
        if texts[:4] == ['openapi', '.', 'ResetOpenAPI', '('] or 'GetPluginConfig' in texts and 'BpLoadingOptions' in texts:
            return
        # options: opts := th.MakeDefaultOptions(); opts.LoadRestrictions = ...; opts.Reorder = ...
        if len(texts) >= 5 and texts[1] in (':=', '=') and texts[3] == '.' and texts[4].startswith('MakeOptions') \
                or len(texts) >= 5 and texts[1] in (':=', '=') and texts[4] == 'MakeDefaultOptions':
            self.optvars[texts[0]] = self.make_options(texts[4])
            return
        if len(texts) >= 5 and texts[0] in self.optvars and texts[1] == '.' and texts[3] == '=':
            try:
                # a constant of another package (krusty.ReorderOptionNone) by its name, as set_option reads it
                value = texts[-1] if len(texts) == 7 and texts[5] == '.' and texts[4] not in env \
                    and texts[4] in self.file.imports else self.eval(s[4:], env)
            except Unparsed:
                value = texts[-1]
            self.set_option(self.optvars[texts[0]], texts[2], value)
            return
        if self.plugin_harness_stmt(s, texts, env):
            return
        if head in ('assert', 'require') and ('GetSchemaVersion' in texts or 'DefaultOpenAPI' in texts):
            return  # an assertion on kyaml's global schema state after the build; the build itself is the case
        if self.empty_fs_run(s, texts, env):
            return
        if self.kustomizer_stmt(s, texts, env):
            return
        if self.exec_or_helm_stmt(s, texts, env):
            return
        if texts[:3] != ['t', '.', 'Run'] and ('GetFSys' in texts or 'MkDir' in texts or 'fSys' in texts
                                               or 'filesys' in texts):
            raise Unparsed('direct file-system access')
        if 'BuildGoPlugin' in texts:
            raise Excluded('Go plugin (BuildGoPlugin)')
        if 'ErrIfNoHelm' in texts or 'MakeEnhancedHarnessWithTmpRoot' in texts:
            raise Excluded('helm binary (exec) or a temporary directory on disk')
        if 'httptest' in texts or 'NewServer' in texts:
            raise Excluded('network (an in-process HTTP test server whose answers are Go handlers, with errors '
                           'matched as regular expressions over absolute temporary paths)')
        # th := kusttest_test.MakeHarness(t) / MakeEnhancedHarness(t)...
        if len(texts) > 2 and texts[1] in (':=', '=') and any(x in texts for x in ('MakeHarness', 'MakeEnhancedHarness', 'MakeHarnessWithFs')):
            self.harness_vars.add(texts[0])
            if self.in_loop:
                # a harness made in a loop's body is a fresh file system for that iteration
                self.files = {}
                self.fresh_harness = True
            return
        # t.Run("name", func(t *testing.T) { ... })
        if texts[:3] == ['t', '.', 'Run']:
            i = texts.index('{')
            end = matching(s, i)
            self.run(s[i + 1:end], env)
            return
        if texts[:3] in (['t', '.', 'Skip'], ['t', '.', 'SkipNow'], ['t', '.', 'Skipf']):
            self.skipped = 'the test skips itself (t.Skip)'
            raise StopIteration
        if texts[:2] == ['t', '.'] or texts[:2] == ['t', 'Helper']:
            return
        # assignment of a string: name := expr / name = expr / var name = expr
        if head == 'var' and len(texts) > 3 and texts[2] == '=':
            env[texts[1]] = self.eval(s[3:], env)
            return
        if len(texts) > 2 and s[0].kind == 'ident' and texts[1] in (':=', '=') and 'th' not in texts[2:3] \
                and not any(x in texts for x in ('Run', 'RunWithErr')):
            try:
                env[texts[0]] = self.eval(s[2:], env)
            except Unparsed:
                env.pop(texts[0], None)   # a non-string value: fine unless used later
            return
        # harness calls
        if s[0].kind == 'ident' and s[0].text in self.harness_vars | {'th'} and len(texts) > 2 and texts[1] == '.':
            self.harness_call(s, env, None)
            return
        if len(texts) > 4 and texts[1] in (':=', '=') and texts[2] in self.harness_vars | {'th'}:
            self.harness_call(s[2:], env, texts[0])
            return
        if len(texts) > 6 and texts[1] == ',' and texts[3] in (':=', '=') and texts[4] in self.harness_vars | {'th'}:
            self.harness_call(s[4:], env, texts[0])
            return
        if s[0].kind == 'ident' and isinstance(env.get(texts[0]), Closure) and texts[1] == '(':
            body = env[texts[0]].toks
            i = next(j for j, k in enumerate(body) if k.text == '{')
            self.run(body[i + 1:matching(body, i)], env)
            return
        if s[0].kind == 'ident' and len(texts) > 1 and texts[1] == '(' and self.apply_func_value(s, env):
            return
        # a helper of the package called with the harness: writeBase(th) / writeX(th, "dir")
        if s[0].kind == 'ident' and len(texts) > 1 and texts[1] == '(':
            fn = self.find_func(env[texts[0]].name if isinstance(env.get(texts[0]), FuncName) else texts[0])
            if fn is not None:
                params, body = fn
                end = matching(s, 1)
                argv = split_args(s[2:end])
                sub = {}
                for p, a in zip(params, argv):
                    at = [k.text for k in a if k.kind != 'nl']
                    if at and at[0] in self.harness_vars | {'th'} and len(at) == 1:
                        continue
                    if at[:2] == ['func', '(']:
                        sub[p] = Closure([k for k in a if k.kind != 'nl' or True])
                        continue
                    try:
                        sub[p] = self.eval(a, env)
                    except Unparsed:
                        pass
                saved = self.harness_vars
                self.harness_vars = self.harness_vars | {'th'} | {params[0]} if params else self.harness_vars
                try:
                    self.run(body, sub)
                except StopIteration:
                    pass
                self.harness_vars = saved
                return
        if self.pending_err is not None and 'err' in texts and any(k.kind in ('str', 'raw') for k in s) or \
                self.pending_err is not None and self.assertion_on_err(s, env):
            self.record_err_message(s, env)
            return
        if 'err' in texts and self.pending_err is not None:
            self.record_err_message(s, env)
            return
        nt = [k.text for k in s if k.kind != 'nl']
        if self.pending is not None and len(nt) >= 8 and nt[1] == ',' and nt[3] == ':=' and nt[5:8] == ['.', 'AsYaml', '(']:
            # _, err := m.AsYaml(): the error comes when the built objects are written out, so `kustomize build`
            # fails with it; the assertions that follow give the message
            c = self.pending
            self.pending = None
            c.error = []
            self.pending_err = c
            self.cases.append(c)
            return
        if head in ('assert', 'require') and len(texts) > 4 and texts[2] in ('Error', 'Errorf'):
            inner = [k for k in s[4:] if k.kind != 'nl']
            if len(inner) > 2 and inner[0].text == 't' and inner[1].text == ',':
                inner = inner[2:]
            it = [k.text for k in inner]
            if len(it) > 3 and it[0] in self.harness_vars | {'th'} and it[2] == 'RunWithErr':
                self.harness_call(inner[:matching(inner, 3) + 1], env, None)
                return
            if self.pending_err is not None and 'err' in it:
                return
        if head in ('assert', 'require') or head in ('m', 'rm', 'resources', 'actual', 'yml', 'res'):
            raise Unparsed('assertion on Go values: ' + ' '.join(texts)[:60])
        if head == 'err' or head == '_':
            return
        raise Unparsed('statement: ' + ' '.join(texts)[:60])

    def kustomizer_stmt(self, s, texts, env):
        """The shapes of tests that drive krusty's Kustomizer on a real file system instead of the harness
        (originannotation/transformerannotation remote tests, remoteloader_test.go): ``b := krusty.MakeKustomizer(o)``,
        ``fSys.WriteFile(path, []byte(s))``, ``fSys, tmpDir := kusttest_test.CreateKustDir(t, k)``,
        ``m, err := b.Run(fSys, dir)``, ``require.Error(t, err)`` (the build fails), ``assert.Contains(t, err.Error(),
        s)``, ``assert.Contains(t, string(yml), s)`` (a fragment of the stream). True when handled."""
        toks = [k for k in s if k.kind != 'nl']
        t = [k.text for k in toks]
        if len(t) > 6 and t[1] == ':=' and t[2:5] == ['krusty', '.', 'MakeKustomizer']:
            self.kustomizers[t[0]] = self.options_of(toks[6:matching(toks, 5)], env)
            return True
        if head_is(t, 'require', 'NoError') and t[6:9] == ['fSys', '.', 'WriteFile']:
            a = split_args(toks[10:matching(toks, 9)])
            content = [k for k in a[1] if k.kind != 'nl']
            if [k.text for k in content[:4]] == ['[', ']', 'byte', '(']:
                content = content[4:-1]   # []byte(s)
            self.write(self.eval(a[0], env), self.eval(content, env))
            return True
        if len(t) > 8 and t[1] == ',' and t[3] == ':=' and t[4:7] == ['kusttest_test', '.', 'CreateKustDir']:
            a = split_args(toks[8:matching(toks, 7)])
            self.files = {}
            self.write('kustomization.yaml', self.eval(a[1], env))
            env[t[2]] = '/'
            return True
        if len(t) > 8 and t[1] == ',' and t[3] == ':=' and t[4] in self.kustomizers and t[5:8] == ['.', 'Run', '(']:
            a = split_args(toks[8:matching(toks, 7)])
            c = Case(None)
            c.files = dict(self.files)
            c.dir = self.eval(a[1], env)
            c.options = dict(self.kustomizers[t[4]])
            c.krusty_run = True
            self.pending = c
            return True
        if head_is(t, 'require', 'Error') and t[4:] == ['t', ',', 'err', ')'] and self.pending is not None \
                and getattr(self.pending, 'krusty_run', False):
            c = self.pending
            self.pending = None
            c.error = []
            self.pending_err = c
            self.cases.append(c)
            return True
        if head_is(t, 'assert', 'Contains') and self.pending_err is not None and t[6:11] == ['err', '.', 'Error', '(',
                                                                                           ')']:
            a = split_args(toks[4:matching(toks, 3)])
            self.pending_err.error.append(self.eval(a[2], env))
            return True
        if head_is(t, 'assert', 'Contains') and self.pending is not None and t[6:8] == ['string', '(']:
            a = split_args(toks[4:matching(toks, 3)])
            self.pending.contains = self.eval(a[2], env)
            self.cases.append(self.pending)
            self.pending = None
            return True
        return False

    def plugin_harness_stmt(self, s, texts, env):
        """``th := kusttest_test.MakeEnhancedHarness(t).PrepExecPlugin(g, v, k).BuildGoPlugin(g, v, k)…``: the legacy
        exec plugins are copied from the snapshot's ``plugin/<g>/<v>/<lowercase k>/<k>`` into the case's plugin home
        (what kustomize's test harness does); Go plugins are noted (a build with plugins enabled then is excluded).
        True when handled."""
        if 'PrepExecPlugin' not in texts and 'BuildGoPlugin' not in texts:
            return False
        toks = [k for k in s if k.kind != 'nl']
        handled = False
        for i, k in enumerate(toks):
            if k.text in ('PrepExecPlugin', 'BuildGoPlugin') and i + 1 < len(toks) and toks[i + 1].text == '(':
                g, v, kind = self.args(toks[i + 1:], env)
                if k.text == 'BuildGoPlugin':
                    self.go_plugins.append(f'{g}/{v}/{kind}')
                else:
                    home = f'{g}/{v}/{kind.lower()}/{kind}'
                    self.plugins[home] = git_out(self.pkg_git, 'show', f'{self.pkg_tag}:plugin/{home}')
                handled = True
        if handled and len(texts) > 2 and texts[1] in (':=', '='):
            self.harness_vars.add(texts[0])
        return handled

    def exec_or_helm_stmt(self, s, texts, env):
        """The statement shapes of fnplugin_test.go's exec tests and helmchartinflationgenerator_test.go: an on-disk
        harness in a temporary directory, files made executable, exec enabled in the options, charts copied into the
        harness, and the built stream compared as text (``m.AsYaml()`` then ``assert.Equal``). True when handled."""
        if texts[:4] == ['fSys', ':=', 'filesys', '.'] and 'MakeFsOnDisk' in texts:
            return True
        if len(texts) > 4 and texts[1] in (':=', '=') and 'MakeHarnessWithFs' in texts:
            self.harness_vars.add(texts[0])
            return True
        if len(texts) > 4 and texts[1] in (':=', '=') and 'MakeEnhancedHarnessWithTmpRoot' in texts:
            self.harness_vars.add(texts[0])
            self.helm = True
            return True
        if len(texts) > 5 and texts[1] == ',' and texts[3] == ':=' and 'NewTmpConfirmedDir' in texts:
            env[texts[0]] = '/'
            return True
        # o.PluginConfig.FnpLoadingOptions.EnableExec = true
        if len(texts) == 9 and texts[0] in self.optvars and texts[2:7] == ['PluginConfig', '.', 'FnpLoadingOptions',
                                                                          '.', 'EnableExec'] and texts[8] == 'true':
            self.optvars[texts[0]]['exec'] = 'enabled'
            return True
        if len(texts) == 8 and texts[1] == ':=' and texts[3:6] == ['.', 'MkDir', '(']:
            env[texts[0]] = '/' + self.eval([s[6]], env).strip('/')
            return True
        if head_is(texts, 'require', 'NoError') or head_is(texts, 'assert', 'NoError'):
            toks = [k for k in s if k.kind != 'nl']
            inner = [k.text for k in toks[6:]]   # after `require.NoError(t,`
            if inner[:3] == ['os', '.', 'Chmod']:
                end = matching(toks, 9)
                path = self.eval(split_args(toks[10:end])[0], env)
                self.executables.add(os.path.normpath(path.lstrip('/')))
                return True
            if inner[:1] == ['err'] or inner[:3] in (['fSys', '.', 'Mkdir'], ['fSys', '.', 'RemoveAll'],
                                                     ['fSys', '.', 'MkdirAll']):
                return True
        if 'ErrIfNoHelm' in texts:
            self.helm = True
            return True
        if texts[0] == 'copyValuesFilesTestChartsIntoHarness':
            # copies api/krusty/testdata/helmcharts to <root>/charts
            d = 'api/krusty/testdata/helmcharts'
            for f in git_out(self.pkg_git, 'ls-tree', '-r', '--name-only', f'{self.pkg_tag}:{d}').split():
                self.write('charts/' + f, git_out(self.pkg_git, 'show', f'{self.pkg_tag}:{d}/{f}'))
            return True
        # yml, err := m.AsYaml(): the stream as text, asserted next (`_, err := m.AsYaml()` is an expected error)
        if len(texts) >= 8 and texts[1] == ',' and texts[3] == ':=' and texts[5:8] == ['.', 'AsYaml', '('] \
                and texts[0] != '_':
            return True
        if (head_is(texts, 'assert', 'Equal') or head_is(texts, 'require', 'Equal')) and self.pending is not None:
            a = split_args(s[4:matching(s, 3)])
            exp = [x for x in a[1:] if [k.text for k in x if k.kind != 'nl'][:1] != ['string']]
            if len(exp) != 1:
                raise Unparsed('assert.Equal without one expected string')
            self.pending.expected = self.eval(exp[0], env)
            self.cases.append(self.pending)
            self.pending = None
            return True
        return False

    def assertion_on_err(self, s, env):
        return False

    # -- builds checked in Go code (issue #16: disablenamesuffix_test.go, openapicustomschema_test.go)
    def go_checked_build(self):
        """The pending build had no stream assertion: the test checks its output in Go code (or only that it
        succeeds); it becomes a case whose expected stream comes from the reference."""
        if self.pending is not None:
            self.pending.go_checked = True
            self.cases.append(self.pending)
            self.pending = None

    def record_go_names(self, s, env):
        """``x.GetName() != "NAME"`` in a guard after a build checked in Go code: the output must have NAME."""
        if self.pending is None:
            return
        nt = [k for k in s if k.kind != 'nl']
        for j in range(len(nt) - 5):
            if [k.text for k in nt[j:j + 5]] == ['.', 'GetName', '(', ')', '!='] and nt[j + 5].kind in ('str', 'raw'):
                self.pending.go_names.append(go_string(nt[j + 5]))

    def empty_fs_run(self, s, texts, env):
        """kustomizer_test.go: ``b := krusty.MakeKustomizer(OPTS)`` then ``_, err := b.Run(filesys.MakeFsInMemory(),
        PATH)``: a build of PATH on an empty file system, its error asserted next. True when handled."""
        if len(texts) > 6 and texts[1] == ':=' and texts[2:6] == ['krusty', '.', 'MakeKustomizer', '(']:
            self.kustomizers[texts[0]] = self.options_of(s[6:matching(s, 5)], env)
            return True
        if len(texts) > 11 and texts[1] == ',' and texts[3] in (':=', '=') and texts[4] in self.kustomizers \
                and texts[5:8] == ['.', 'Run', '('] and texts[8:12] == ['filesys', '.', 'MakeFsInMemory', '(']:
            a = split_args(s[8:matching(s, 7)])
            c = Case(None)
            c.dir = self.eval(a[1], env)
            c.options = dict(self.kustomizers[texts[4]])
            c.error = []
            self.pending_err = c
            self.cases.append(c)
            return True
        return False

    # -- values of other shapes (issue #16): byte slices, package functions computing a value, other packages
    def other_value(self, toks, env):
        """A string (bytes as surrogate-escaped text) for ``[]byte{0xff, …}``, a call of a package function that
        computes a value (``manyHellos(30)``: counting loops appending to a result), or a name of another kustomize
        package (``konfig.DefaultKustomizationFileName()``, ``loader.ErrRtNotDir.Error()``); a list of strings for
        a function returning ``[]string{…}``; None for any other shape."""
        t = [k.text for k in toks]
        if t[:3] == ['[', ']', 'byte'] and t[3] == '{' and t[-1] == '}':
            return bytes(int(x.text, 0) for x in toks[4:-1] if x.kind == 'num').decode('utf-8', 'surrogateescape')
        if t[:3] == ['[', ']', 'string'] and t[3] == '{' and t[-1] == '}':
            return [self.eval(a, env) for a in split_args(toks[4:-1])]
        if len(t) > 2 and toks[0].kind == 'ident' and t[1] == '(' and matching(toks, 1) == len(toks) - 1 \
                and self.find_func(t[0]) is not None:
            return self.call_value(t[0], [self.value(a, env) for a in split_args(toks[2:-1])])
        if len(t) > 4 and toks[0].kind == 'ident' and t[1] == '(' and t[-3] == '[' and t[-1] == ']':
            lst = self.other_value(toks[:-3], env)
            return lst[int(t[-2])] if isinstance(lst, list) else None
        if len(t) >= 3 and toks[0].kind == 'ident' and t[1] == '.' and t[0] not in env and t[0] in self.file.imports:
            return self.qualified(toks)
        return None

    def value(self, toks, env):
        """An argument's value: an integer literal as int, else a string (or list) as ``eval``/``other_value``."""
        nt = [k for k in toks if k.kind != 'nl']
        if len(nt) == 1 and nt[0].kind == 'num':
            return int(nt[0].text, 0)
        if len(nt) == 1 and nt[0].kind == 'ident' and isinstance(env.get(nt[0].text), (int, list)):
            return env[nt[0].text]
        v = self.other_value(nt, env)
        return v if v is not None else self.eval(nt, env)

    def call_value(self, name, args):
        """Runs a package function that computes a value: ``for i := 0; i < n; i++ { r = append(r, x...) }``,
        ``r = append(r, x...)``, ``return`` (its named result) or ``return EXPR``."""
        params, body = self.find_func(name)
        f = next(f for f in [self.file] + list(self.pkg.values()) if name in f.funcs)
        env = dict(zip(params, args))
        for r in f.results.get(name, []):
            env[r] = ''
        out = self.run_value(body, env, f.results.get(name, []))
        if out is None:
            raise Unparsed('function ' + name + ' without a value')
        return out

    def run_value(self, body, env, results):
        lines, cur, depth = [], [], 0
        for k in body:  # statements at newlines outside brackets (a `for` header keeps its semicolons)
            depth += (k.kind == 'op' and k.text in '([{') - (k.kind == 'op' and k.text in ')]}')
            if k.kind == 'nl' and depth == 0:
                lines.append(cur) if cur else None
                cur = []
            elif k.kind != 'nl':
                cur.append(k)
        for st in lines + ([cur] if cur else []):
            t = [k.text for k in st]
            if t[0] == 'return':
                return env[results[0]] if len(t) == 1 and results else self.value(st[1:], env)
            if t[0] == 'for' and t[2:4] == [':=', '0'] and t[4] == ';' and t[5:7] == [t[1], '<'] and t[8] == ';' \
                    and t[9:11] == [t[1], '++']:
                n = self.value(st[7:8], env)
                i = t.index('{')
                for _ in range(n):
                    out = self.run_value(st[i + 1:matching(st, i)], env, results)
                    if out is not None:
                        return out
                continue
            if len(t) > 6 and t[1] == '=' and t[2:4] == ['append', '('] and t[4] == t[0] and t[5] == ',':
                a = split_args(st[4:matching(st, 3)])
                env[t[0]] = env[t[0]] + self.value([k for k in a[1] if k.text != '...'], env)
                continue
            raise Unparsed('statement in a value function: ' + ' '.join(t)[:40])
        return None

    PACKAGES = {}  # import path -> {file name: GoFile}, read from the snapshot

    def qualified(self, toks):
        """A name of another kustomize package: a function returning a value (``konfig.RecognizedKustomizationFile
        Names()``), a constant, or an error variable's message (``loader.ErrRtNotDir.Error()``); None otherwise."""
        t = [k.text for k in toks]
        path = self.file.imports[t[0]]
        if not path.startswith('sigs.k8s.io/kustomize/'):
            return None
        if path not in Interp.PACKAGES:
            d = re.sub(r'^sigs\.k8s\.io/kustomize/(?:v\d+/)?', '', path)
            names = git_out(self.pkg_git, 'ls-tree', '--name-only', f'{self.pkg_tag}:{d}').split()
            Interp.PACKAGES[path] = {n: GoFile(n, git_out(self.pkg_git, 'show', f'{self.pkg_tag}:{d}/{n}'))
                                     for n in names if n.endswith('.go') and not n.endswith('_test.go')}
        files = Interp.PACKAGES[path]
        if not files:
            return None
        sub = Interp(files, next(iter(files.values())), None)
        name, rest = t[2], t[3:]
        try:
            if rest == ['(', ')'] and sub.find_func(name) is not None:
                st = statements(sub.find_func(name)[1])
                if len(st) == 1 and st[0][0].text == 'return':
                    return sub.value(st[0][1:], {})
            for f in files.values():
                if name in f.consts and not rest:
                    return sub.eval(f.consts[name], {})
                c = [k for k in f.consts.get(name, []) if k.kind != 'nl']
                if c and rest == ['.', 'Error', '(', ')'] and [k.text for k in c[:3]] in (
                        ['errors', '.', 'Errorf'], ['errors', '.', 'New'], ['fmt', '.', 'Errorf']) \
                        and len(split_args(c[4:-1])) == 1:
                    msg = sub.eval(c[4:-1], {})
                    return None if '%' in msg else msg
        except Unparsed:
            return None
        return None

    def string_slice(self, expr, env):
        """The strings a loop ranges over when ``expr`` computes a ``[]string`` (another package's function), else
        None."""
        try:
            v = self.other_value([k for k in expr if k.kind != 'nl'], env)
        except Unparsed:
            return None
        return v if isinstance(v, list) else None

    # -- function values (issue #16: component_test.go's []FileGen tables, openapicustomschema_test.go's input)
    def func_slice(self, items_toks, env):
        """The elements of a slice literal of functions (``[]FileGen{writeA, writeK("dir", `…`)}``) as a Table of
        FuncName/FuncCall, or None when an element is not a package function or a call of one."""
        table = Table([])
        for item in top_split(items_toks, ','):
            if len(item) == 1 and item[0].kind == 'ident' and self.find_func(item[0].text) is not None:
                table.items.append((None, FuncName(item[0].text)))
            elif len(item) > 2 and item[0].kind == 'ident' and item[1].text == '(' and \
                    matching(item, 1) == len(item) - 1 and self.find_func(item[0].text) is not None:
                table.items.append((None, FuncCall(item[0].text, [self.eval(a, env)
                                                                  for a in split_args(item[2:-1])])))
            else:
                return None
        return table if table.items else None

    def apply_func_value(self, s, env):
        """``f(th)`` where f is a FuncCall, or ``g(args)(th)``: the harness function g returns, run on the harness.
        True when handled."""
        texts = [k.text for k in s]
        value = env.get(texts[0])
        end = matching(s, 1)
        if isinstance(value, FuncCall):
            self.run_func_call(value)
            return True
        if end + 1 < len(s) and s[end + 1].text == '(' and self.find_func(texts[0]) is not None:
            self.run_func_call(FuncCall(texts[0], [self.eval(a, env) for a in split_args(s[2:end])]))
            return True
        return False

    def run_func_call(self, call):
        """Runs what a package function returns for the harness: ``return func(th Harness) { … }`` (its body, the
        function's parameters bound to the call's arguments) or ``return otherGen(…)`` (that call, in turn)."""
        params, body = self.find_func(call.name)
        env = dict(zip(params, call.args))
        st = statements(body)
        if len(st) != 1 or st[0][0].text != 'return':
            raise Unparsed('function value ' + call.name + ' without one return')
        ret = [k for k in st[0][1:]]
        rt = [k.text for k in ret if k.kind != 'nl']
        if rt[:2] == ['func', '(']:
            harness = rt[2]
            i = next(j for j, k in enumerate(ret) if k.text == '{')
            saved = self.harness_vars
            self.harness_vars = self.harness_vars | {harness}
            try:
                self.run(ret[i + 1:matching(ret, i)], env)
            finally:
                self.harness_vars = saved
            return
        nt = [k for k in ret if k.kind != 'nl']
        if len(nt) > 2 and nt[0].kind == 'ident' and nt[1].text == '(' and matching(nt, 1) == len(nt) - 1 \
                and self.find_func(nt[0].text) is not None:
            self.run_func_call(FuncCall(nt[0].text, [self.eval(a, env) for a in split_args(nt[2:-1])]))
            return
        raise Unparsed('function value ' + call.name + ' returns ' + ' '.join(rt)[:40])

    def find_func(self, name):
        if name in self.file.funcs:
            return self.file.funcs[name]
        for f in self.pkg.values():
            if name in f.funcs:
                return f.funcs[name]
        return None

    @staticmethod
    def is_table_literal(toks):
        t = [k.text for k in toks if k.kind != 'nl']
        return len(t) > 3 and (t[:3] == ['[', ']', 'struct'] or t[:2] == ['map', '['] or
                               t[:2] == ['[', ']'] and toks[-1].text == '}' and t[2] not in ('byte', 'string'))

    def table(self, toks, env):
        """A slice or map literal of structs: each element's keyed fields."""
        toks = [k for k in toks if k.kind != 'nl']
        if toks[-1].text != '}':
            raise Unparsed('table literal')
        start = match_back(toks, len(toks) - 1)
        is_map = toks[0].text == 'map'
        funcs = self.func_slice(toks[start + 1:-1], env) if not is_map else None
        if funcs is not None:
            return funcs
        items = []
        for el in top_split(toks[start + 1:-1], ','):
            key = None
            if is_map:
                kv = top_split(el, ':')
                if len(kv) < 2:
                    raise Unparsed('map element without key')
                key = self.eval(kv[0], env)
                el = el[len(kv[0]) + 1:]
            if el and el[0].text == '&':
                el = el[1:]
            if not el or el[-1].text != '}':
                raise Unparsed('table element ' + ' '.join(k.text for k in el)[:40])
            b = match_back(el, len(el) - 1)
            fields = {}
            for f in top_split(el[b + 1:-1], ','):
                if len(f) < 3 or f[1].text != ':' or f[0].kind != 'ident':
                    raise Unparsed('table element without field names')
                fields[f[0].text] = f[2:]
            items.append((key, Elem(fields, env)))
        return Table(items)

    def for_stmt(self, s, env):
        """``for [K,] V := range TABLE { … }``: the body once per element, in source order (a map literal's order;
        Go's is random, but every element is a build of its own)."""
        toks = list(s)
        while toks and toks[-1].kind == 'nl':
            toks.pop()
        texts = [k.text for k in toks]
        if 'range' not in texts or toks[-1].text != '}':
            raise Unparsed('loop in the test body')
        r = texts.index('range')
        names = [t for t in texts[1:r - 1] if t != ',' and t.strip()]
        body_start = match_back(toks, len(toks) - 1)
        expr = [k for k in toks[r + 1:body_start] if k.kind != 'nl']
        if len(expr) == 1 and isinstance(env.get(expr[0].text), Table):
            table = env[expr[0].text]
        elif len(expr) == 3 and expr[1].text == '.' and isinstance(env.get(expr[0].text), Elem):
            # a field holding a slice of package functions: []FileGen{writeA, writeB}
            elem = env[expr[0].text]
            ft = elem.fields.get(expr[2].text, [])
            if not ft or ft[-1].text != '}':
                raise Unparsed('loop over ' + ' '.join(k.text for k in expr)[:40])
            b = match_back(ft, len(ft) - 1)
            table = self.func_slice(ft[b + 1:-1], elem.env)
            if table is None:
                raise Unparsed('loop over a slice of ' + ' '.join(k.text for k in ft[b + 1:-1])[:40])
        elif self.string_slice(expr, env) is not None:
            table = Table([(None, v) for v in self.string_slice(expr, env)])
        elif self.is_table_literal(expr):
            table = self.table(expr, env)
        else:
            raise Unparsed('loop over ' + ' '.join(k.text for k in expr)[:40])
        for key, elem in table.items:
            sub = dict(env)
            if len(names) == 1 and key is not None:
                sub[names[0]] = key  # for k := range aMap
            else:
                sub[names[-1]] = elem
            if len(names) == 2 and names[0] != '_' and key is not None:
                sub[names[0]] = key
            saved = self.files
            self.in_loop = True
            try:
                self.run(toks[body_start + 1:-1], sub)
            except StopIteration:
                pass
            finally:
                self.in_loop = False
            if self.files is not saved and self.fresh_harness:
                self.files = saved
            self.fresh_harness = False

    def condition(self, toks, env):
        """A condition on strings or booleans (``a == b``, ``a != b``, ``x``, ``!x``), or None when not one."""
        t = [k for k in toks if k.kind != 'nl']
        try:
            for op in ('==', '!='):
                idx = [j for j, k in enumerate(t) if k.text == op]
                if len(idx) == 1:
                    a, b = self.eval(t[:idx[0]], env), self.eval(t[idx[0] + 1:], env)
                    return (a == b) == (op == '==')
            if t and t[0].text == '!':
                v = self.eval(t[1:], env)
                return v == 'false' if v in ('true', 'false') else None
            v = self.eval(t, env)
            return v == 'true' if v in ('true', 'false') else None
        except Unparsed:
            return None

    def if_stmt(self, s, env):
        texts = [k.text for k in s]
        if '{' in texts and self.pending_err is None:
            i = texts.index('{')
            cond = self.condition(s[1:i], env)
            if cond is not None:
                end = matching(s, i)
                if cond:
                    self.run(s[i + 1:end], env)
                    return
                rest = s[end + 1:]
                rt = [k.text for k in rest if k.kind != 'nl']
                if rt[:2] == ['else', 'if']:
                    self.if_stmt([k for k in rest if k.kind != 'nl'][1:], env)
                elif rt[:1] == ['else']:
                    b = next(j for j, k in enumerate(rest) if k.text == '{')
                    self.run(rest[b + 1:matching(rest, b)], env)
                return
        if self.pending_err is not None and 'IsErrOnlyBuiltinPluginsAllowed' in texts:
            self.pending_err.error.append(only_builtin_plugins_message())
            return
        if self.pending_err is not None and 'err' in texts:
            self.record_err_message(s, env)
            return
        if 'ErrIfNoHelm' in texts:
            self.helm = True     # the test needs helm: its builds inflate charts (helm=enabled)
            return
        if 'IsErrTimeout' in texts[:texts.index('{')]:
            return  # kustomize skips the test when the remote fetch times out; a vendored fetch does not
        if texts[1:5] == ['!', 'assert', '.', 'NoError'] or texts[1:5] == ['!', 'require', '.', 'NoError']:
            return  # if !assert.NoError(t, err) { t.FailNow() }: the build must succeed, as the case checks
        if texts[1:4] == ['test', '.', 'beforeTest'] or texts[1:4] == ['tc', '.', 'beforeTest']:
            return  # configureGitSSHCommand: an SSH key for github.com, which the vendored fetcher does not need
        i = texts.index('{')
        end = matching(s, i)
        body_texts = texts[i + 1:end]
        if 'Skip' in body_texts or 'SkipNow' in body_texts or 'Skipf' in body_texts:
            cond = texts[1:i]
            if cond == ['true']:
                self.skipped = 'the test skips itself (t.Skip)'
                raise StopIteration
            raise Excluded('skipped by kustomize when a condition holds: ' + ' '.join(cond)[:60])
        if 'Fatal' in body_texts or 'Fatalf' in body_texts or 'Errorf' in body_texts:
            self.record_go_names(s, env)
            return  # a guard on a Go value
        raise Unparsed('if statement: ' + ' '.join(texts)[:60])

    def harness_call(self, s, env, assigned):
        texts = [k.text for k in s]
        method = texts[2]
        rest = s[3:]
        if method == 'WriteK' or method == 'WriteC':
            path, content = self.args(rest, env)
            header = ('\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n' if method == 'WriteK'
                      else '\napiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n')
            self.write(os.path.join(path, 'kustomization.yaml'), header + content)
        elif method == 'WriteF':
            path, content = self.args(rest, env)
            self.write(path, content)
        elif method == 'WriteLegacyConfigs':
            (path,) = self.args(rest, env)
            self.write(path, LEGACY_CONFIGS[0])
        elif method in ('Run', 'RunWithErr'):
            end = matching(rest, 0)
            a = split_args(rest[1:end])
            d = self.eval(a[0], env)
            self.options = self.options_of(a[1], env)
            c = Case(None)
            c.files = dict(self.files)
            c.dir = d
            c.options = dict(self.options)
            c.executables = set(self.executables)
            c.plugins = dict(self.plugins)
            if c.options.get('plugins') == 'enabled' and self.go_plugins:
                raise Excluded('Go plugin (BuildGoPlugin of ' + ', '.join(self.go_plugins) + '): loading a .so built by '
                               'the Go toolchain needs Go\'s plugin package; Conflux loads exec plugins only')
            if self.helm:
                c.options['helm'] = 'enabled'
            if method == 'Run':
                self.go_checked_build()
                self.pending = c
            else:
                c.error = []
                self.pending_err = c
                self.cases.append(c)
        elif method.startswith('AssertActualEqualsExpected'):
            end = matching(rest, 0)
            a = split_args(rest[1:end])
            at = [k.text for k in a[0] if k.kind != 'nl']
            if len(at) > 3 and at[2] == 'Run':
                self.harness_call([k for k in a[0] if k.kind != 'nl'], env, None)
            if self.pending is None:
                raise Unparsed('assertion without a build')
            if method == 'AssertActualEqualsExpectedWithTweak':
                raise Unparsed('assertion with a Go tweak function')
            exp = self.eval(a[-1], env)
            if exp.startswith('\n'):
                exp = exp[1:]
            # a `go test` build reports its version as "(test)"; the release the corpus is made for prints its tag
            exp = exp.replace('app.kubernetes.io/managed-by: kustomize-(test)',
                              'app.kubernetes.io/managed-by: kustomize-' + self.pkg_tag.split('/')[-1])
            self.pending.expected = exp
            self.cases.append(self.pending)
            self.pending = None
        elif method in ('Reset', 'ResetLoaderRoot'):
            self.files = {}
        elif method in ('PrepBuiltin', 'GetT', 'Harness'):
            pass
        elif method == 'GetRoot':
            pass
        else:
            raise Unparsed('harness method ' + method)

    def record_err_message(self, s, env):
        strs = self.contains_exprs(s, env)
        depth = 0
        for k in s:
            if k.kind == 'op' and k.text in '([':
                depth += 1
            elif k.kind == 'op' and k.text in ')]':
                depth -= 1
            elif k.kind == 'op' and k.text == '{' and depth == 0:
                break   # the body of `if !strings.Contains(...) { t.Fatalf(...) }`
            if k.kind in ('str', 'raw'):
                v = go_string(k)
                if not re.search(r'%[-+# 0-9.]*[svdqTw]', v):
                    strs.append(v)
        # prefer whole expressions where the strings are concatenated constants
        if strs:
            self.pending_err.error.extend(strs)

    def contains_exprs(self, s, env):
        """The messages ``strings.Contains(err.Error(), EXPR)`` / ``assert.Contains(t, err.Error(), EXPR)`` asserts
        where EXPR is not only literals (a table field, ``fmt.Sprintf`` of another package's error): evaluated."""
        nt = [k for k in s if k.kind != 'nl']
        out = []
        for i in range(len(nt) - 1):
            if nt[i].text != 'Contains' or nt[i + 1].text != '(':
                continue
            args = [[k for k in a if k.kind != 'nl'] for a in split_args(nt[i + 2:matching(nt, i + 1)])]
            texts = [[k.text for k in a] for a in args]
            if ['err', '.', 'Error', '(', ')'] not in texts[:-1]:
                continue
            expr = args[texts.index(['err', '.', 'Error', '(', ')']) + 1]
            if all(k.kind in ('str', 'raw') or k.text == '+' for k in expr):
                continue  # literals: taken one by one below, as before
            try:
                v = self.eval(expr, env)
            except Unparsed:
                continue
            if not re.search(r'%[-+# 0-9.]*[svdqTw]', v):
                out.append(v)
        return out

    def write(self, path, content):
        path = os.path.normpath(path.lstrip('/')) if path.strip('/') else '.'
        self.files[path] = content


def only_builtin_plugins_message():
    """The fixed part of kustomize's errOnlyBuiltinPluginsAllowed message (api/types/erronlybuiltinpluginsallowed.go),
    read from the snapshot: its format string up to the plugin's name."""
    src = git_out(Interp.pkg_git, 'show', f'{Interp.pkg_tag}:api/types/erronlybuiltinpluginsallowed.go')
    m = re.search(r'fmt\.Sprintf\(\s*"([^"%]*)%s', src)
    if not m:
        raise Unparsed('errOnlyBuiltinPluginsAllowed message not found in the snapshot')
    return m.group(1)


def head_is(texts, pkg, fn):
    return texts[:3] == [pkg, '.', fn]


def split_args(toks):
    out, cur, depth = [], [], 0
    for k in toks:
        if k.kind == 'op' and k.text in '([{':
            depth += 1
        elif k.kind == 'op' and k.text in ')]}':
            depth -= 1
        if depth == 0 and k.kind == 'op' and k.text == ',':
            out.append(cur)
            cur = []
        else:
            cur.append(k)
    if any(k.kind != 'nl' for k in cur):
        out.append(cur)
    return out


def statements(body):
    """Splits a block into statements at newlines/';' outside brackets (Go's semicolon insertion, roughly)."""
    out, cur, depth = [], [], 0
    for i, k in enumerate(body):
        if k.kind == 'op' and k.text in '([{':
            depth += 1
        elif k.kind == 'op' and k.text in ')]}':
            depth -= 1
        if depth == 0 and (k.kind == 'nl' or (k.kind == 'op' and k.text == ';')):
            if cur and not (cur[-1].kind == 'op' and cur[-1].text in ('+', ',', '.', '&&', '||', '(', '=', ':=')):
                out.append(cur)
                cur = []
            continue
        if k.kind == 'nl' and depth == 0:
            continue
        cur.append(k)
    if cur:
        out.append(cur)
    # an `if ... {} else {}` arrives as one statement already; `else` on the next line does not occur in gofmt'd code
    return out


LEGACY_CONFIGS = ['']


# --------------------------------------------------------------------------------------------- examples

HEREDOC_START = re.compile(r"^cat <<-?\s*(['\"]?)(\w+)\1\s*(>>?)\s*(\S+)\s*$")
HELM_REFERENCE = ("a helm build (--enable-helm): its expected output needs the reference kustomize v5.7.1 with a helm v3 "
                  "binary ('this plugin requires helm V3'); the reference tools ship helm v4")
LEGACY_PLUGIN = ('a build with plugins enabled (--enable-alpha-plugins) and no XDG_CONFIG_HOME on its command line: its '
                 'plugin home is the reader\'s $HOME/.config/kustomize/plugin, outside the example\'s tree')
# a shell function definition's first line: `function NAME {`, `function NAME() {`, `NAME() {`
FUNCTION_START = re.compile(r'^(?:function\s+(\w+)\s*(?:\(\s*\))?|(\w+)\s*\(\s*\))\s*\{\s*$')
# a build command, possibly after environment assignments: assignments, the arguments
BUILD_COMMAND = re.compile(r'^((?:\w+=\S*\s+)*)(?:kustomize build|kubectl kustomize)\s+(.*)$')
ALPHA_PLUGINS = re.compile(r'^--enable[-_]alpha[-_]plugins$')
# the other order: cat > FILE << EOF
HEREDOC_START_REDIRECT_FIRST = re.compile(r"^cat\s*(>>?)\s*(\S+)\s*<<-?\s*(['\"]?)(\w+)\3\s*$")
# a fenced block after an mdrip label comment, the fence possibly indented (in a list item): indent, labels, body
LABELLED_BLOCK = re.compile(r'<!--\s*@(\w+)((?:\s+@\w+)*)\s*-->[ \t]*\n(?:[ \t]*\n)*([ \t]*)```\w*\n(.*?)^\3```', re.S | re.M)
SHELL_FENCE = re.compile(r'^```(?:sh|shell|bash)\n(.*?)^```', re.S | re.M)


CAPTION = re.compile(r'^([\w.-]+\.(?:yaml|yml|json)|Kustomization)\s*:?\s*$')
OUTPUT_CAPTION = re.compile(r'^Output of `kustomize build`')


def prose_builds(text):
    """An example without shell commands that shows its files and the build's output (transformerconfigs/README.md):
    a fence after a line naming a file (``resources.yaml``) is that file, a line ``Output of `kustomize build` ``
    builds the files shown so far (the directory the reader made of them) and the fence after it is the output
    shown; a heading starts a new set of files. (files, dir, shown output) for each build."""
    files, builds, caption, output_next = {}, [], None, False
    lines = text.split('\n')
    i = 0
    while i < len(lines):
        ln = lines[i]
        i += 1
        if ln.startswith('```'):
            body = []
            while i < len(lines) and not lines[i].startswith('```'):
                body.append(lines[i])
                i += 1
            i += 1
            content = '\n'.join(body) + '\n'
            if output_next:
                builds.append((dict(files), '.', content))
            elif caption:
                files[caption] = content
            caption, output_next = None, False
            continue
        if not ln.strip():
            continue
        if ln.startswith('#'):
            files, caption, output_next = {}, None, False
            continue
        m = CAPTION.match(ln.strip())
        caption = m.group(1) if m else None
        output_next = bool(OUTPUT_CAPTION.match(ln.strip())) and 'kustomization.yaml' in files
    return builds


def same_objects(a, b):
    """Whether two YAML streams hold the same objects, in any order (comments and formatting aside); None when one
    does not parse."""
    import yaml
    try:
        return sorted(repr(d) for d in yaml.safe_load_all(a) if d is not None) == \
            sorted(repr(d) for d in yaml.safe_load_all(b) if d is not None)
    except yaml.YAMLError:
        return None


def example_blocks(text):
    """The shell blocks of an example, as (label, kind, body): those mdrip tests (``<!-- @label @test… -->``, kustomize's
    CI runs them); when there are none, the blocks with another label (``<!-- @loadHttp -->``, kind ``untested``);
    when there are none either, the ```` ```sh ````/```` ```shell ````/```` ```bash ```` fences (kind ``untested``): a
    reader runs them in order, as the example says."""
    tested, labelled = [], []
    for label, tags, indent, body in LABELLED_BLOCK.findall(text):
        body = '\n'.join(ln[len(indent):] if ln.startswith(indent) else ln for ln in body.split('\n'))
        kinds = [t.lstrip('@') for t in tags.split()]
        test = next((k for k in kinds if re.match(r'^test\w*$', k)), None)
        if test:
            tested.append((label, test, body))
        else:
            labelled.append((label, 'untested', body))
    if tested:
        return tested
    if labelled:
        return labelled
    return [('shell', 'untested', body) for body in SHELL_FENCE.findall(text)]
NETWORK = re.compile(r'https?://|github\.com/|git::|\bcurl\b|\bwget\b|git clone')


def example_cases(git, tag, out_cases, listed, kubectl):
    """Each examples/*.md: its tested shell blocks replayed (variables, mkdir, heredocs), one case per build.

    The markdown checks only fragments of the output (grep, diff of a part), so the expected stream is
    the reference's (``kubectl kustomize`` of kustomize v5.7, path given by --reference) at generation time.
    """
    names = git_out(git, 'ls-tree', '-r', '--name-only', tag, 'examples').split()
    n = 0
    for path in sorted(names):
        if not path.endswith('.md'):
            continue
        EXAMPLE_FILES[0] += 1
        text = git_out(git, 'show', f'{tag}:{path}')
        base = 'examples__' + re.sub(r'\W', '_', path[len('examples/'):-3])
        blocks = example_blocks(text)
        shown = prose_builds(text) if not blocks else []
        if shown:
            try:
                for k, (files, d, output) in enumerate(shown):
                    c = Case(base if len(shown) == 1 else f'{base}_{k + 1}')
                    c.files, c.dir, c.options = files, d, {}
                    if kubectl is None:
                        raise Unparsed('expected output needs the reference kubectl (--reference)')
                    reference(kubectl, c)
                    if c.error is not None or same_objects(c.expected, output) is not True:
                        raise Unparsed('the reference does not build the shown files to the shown output')
                    out_cases.append(c)
                    n += 1
            except Unparsed as e:
                listed.append((base, 'unparsed', str(e)))
            continue
        if not blocks:
            listed.append((base, 'excluded', 'no kustomize build: prose without shell commands (' + (
                'an index of the examples' if 'README' in path and text.count('](') > 10 else
                'configuration snippets, no build shown') + ')'))
            continue
        try:
            builds = replay_example(blocks)
        except Excluded as e:
            listed.append((base, 'excluded', str(e)))
            continue
        except Unparsed as e:
            listed.append((base, 'unparsed', str(e)))
            continue
        if not builds:
            if all(kind.startswith('testE2E') for _, kind, _ in blocks):
                listed.append((base, 'excluded', 'no kustomize build: an end-to-end run of alpha commands against a '
                               'kind cluster'))
            else:
                listed.append((base, 'unparsed', 'no kustomize build of a local directory'))
            continue
        example = []
        try:
            for k, (files, d, extras) in enumerate(builds):
                c = Case(base if len(builds) == 1 else f'{base}_{k + 1}')
                c.files, c.dir, c.options = files, d, dict(extras['options'])
                c.plugins, c.executables = extras['plugins'], extras['executables']
                remote_example(c)
                example.append(c)
        except (Excluded, Unparsed) as e:
            listed.append((base, 'excluded', str(e) if str(e).startswith('network') else
                           'network (a remote resource in the kustomization: ' + str(e) + ')'))
            continue
        for c in example:
            if kubectl is None:
                listed.append((c.name, 'unparsed', 'expected output needs the reference kubectl (--reference)'))
                continue
            reference(kubectl, c)
            out_cases.append(c)
            n += 1
    return n


RAW_KUSTOMIZE = 'https://raw.githubusercontent.com/kubernetes-sigs/kustomize/'
EXAMPLE_FILES = [0]  # examples/*.md files read
# what the examples download, vendored from the snapshot: (url, ref read, commit), for SOURCE
VENDORED = []


def network_reason(line):
    """Why a shell line of an example that fetches something is excluded: the command and the URL."""
    url = re.search(r'(?:https?://|git::|github\.com/)\S+', line)
    return ('network (' + line.split()[0] + ' ' + (url.group(0) if url else '') + ': a download from outside '
            'kustomize\'s repository, not in the snapshot)')


def vendor_raw(url):
    """The content of a raw.githubusercontent.com URL of kustomize's own repository, read from the snapshot.

    ``master`` (what the examples name) is read at the tag being generated, so the corpus depends on the tag only;
    any other ref (a tag or a commit) is read as named. Other hosts are excluded as network.
    """
    if not url.startswith(RAW_KUSTOMIZE):
        raise Excluded('network (fetches a remote resource outside kustomize\'s repository)')
    rest = url[len(RAW_KUSTOMIZE):]
    parts = rest.split('/')
    for k in range(1, len(parts)):
        ref, path = '/'.join(parts[:k]), '/'.join(parts[k:])
        read = Interp.pkg_tag if ref == 'master' else ref
        r = subprocess.run(['git', '--git-dir', Interp.pkg_git, 'rev-parse', '--verify', '-q', read + '^{commit}'],
                           capture_output=True, text=True)
        if r.returncode != 0:
            continue
        shown = subprocess.run(['git', '--git-dir', Interp.pkg_git, 'show', f'{read}:{path}'], capture_output=True,
                               text=True)
        if shown.returncode != 0:
            raise Unparsed(f'downloaded file not in the snapshot at {read}: {path}')
        VENDORED.append((url, read, r.stdout.strip()))
        return shown.stdout
    raise Unparsed('downloaded ref not in the snapshot: ' + rest)


REMOTE_URL = re.compile(r'^\s*(?:-\s*|path:\s*|- path:\s*)["\']?((?:https?://|github\.com/|git::|ssh://|git@)[^\s"\']+)',
                        re.M)
GITHUB_RAW = re.compile(r'^https://github\.com/kubernetes-sigs/kustomize/raw/(.+)$')


def vendor_remote(c):
    """The remote files a case's kustomizations name, vendored from the snapshot into ``c.remote`` (served offline by
    the runner); raises Excluded for anything else (a repository, another host)."""
    for p, content in c.files.items():
        if os.path.basename(p) not in ('kustomization.yaml', 'kustomization.yml', 'Kustomization'):
            continue
        for url in REMOTE_URL.findall(content):
            if vendor_repo(c, url):
                continue
            m = GITHUB_RAW.match(url)
            raw = RAW_KUSTOMIZE + m.group(1) if m else url
            try:
                c.remote[url] = vendor_raw(raw.split('?', 1)[0])
            except (Excluded, Unparsed):
                if c.error is None:
                    raise
                # the test expects the build to fail: a URL outside the snapshot answers 404, as the test asserts
    c.options['remote'] = 'vendored'


# kustomize's remote repository URLs of github.com (api/internal/git/repospec.go): [git::][https://|ssh://][git@]
# github.com[/|:]ORG/REPO[.git][//]PATH[?ref=|version=…]
GITHUB_REPO = re.compile(r'^(?:git::)?(?:https://|ssh://)?(?:git@)?github\.com[/:]([^/?]+)/([^/?]+?)(?:\.git)?'
                         r'(?:/+([^?]*))?(?:\?(.*))?$')
KUSTOMIZE_REPO = 'github.com/kubernetes-sigs/kustomize'


def vendor_repo(c, url):
    """A remote kustomization root in kustomize's own repository (``github.com/kubernetes-sigs/kustomize//PATH?ref=R``
    in any of kustomize's URL forms), vendored from the snapshot: the tree at R of PATH and of every directory its
    kustomizations reach with ``../``, into ``c.repos`` (the runner's fetcher copies it where a clone would go).
    False when the URL names a file (a raw URL) rather than a repository; Excluded for another repository, no ref
    (the default branch moves) or a ref not in the snapshot."""
    from urllib.parse import parse_qs, unquote
    if url.startswith(('https://raw.githubusercontent.com/', 'http://')) or GITHUB_RAW.match(url.split('?')[0]):
        return False
    m = GITHUB_REPO.match(url)
    if not m:
        return False
    org, repo, path, query = m.group(1), m.group(2), (m.group(3) or '').strip('/'), m.group(4) or ''
    if f'github.com/{org}/{repo}' != KUSTOMIZE_REPO:
        raise Excluded(f'network (remote repository github.com/{org}/{repo}, not kustomize\'s)')
    q = parse_qs(query)
    ref = unquote((q.get('ref') or q.get('version') or [''])[0])
    if not ref:
        raise Excluded('network (a remote repository at its default branch, which moves)')
    r = subprocess.run(['git', '--git-dir', Interp.pkg_git, 'rev-parse', '--verify', '-q', ref + '^{commit}'],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise Excluded(f'network (remote ref {ref} not in the snapshot)')
    sha = r.stdout.strip()
    tree = c.repos.setdefault((KUSTOMIZE_REPO, ref), {})
    todo, seen = [path], set()
    while todo:
        d = todo.pop()
        if d in seen:
            continue
        seen.add(d)
        for f in git_out(Interp.pkg_git, 'ls-tree', '-r', '--name-only', sha, '--', d or '.').split('\n'):
            if not f or f in tree:
                continue
            tree[f] = git_out(Interp.pkg_git, 'show', f'{sha}:{f}')
            if os.path.basename(f) in ('kustomization.yaml', 'kustomization.yml', 'Kustomization'):
                for entry in re.findall(r'^\s*-\s*["\']?(\.{0,2}/?\.\./[^\s"\']*)', tree[f], re.M):
                    todo.append(os.path.normpath(os.path.join(os.path.dirname(f), entry)))
    VENDORED_REPOS.append((url, ref, sha))
    return True


VENDORED_REPOS = []  # remote roots vendored from the snapshot: (url, ref, commit), for SOURCE


def brace_expand(word):
    """Bash's brace expansion of one ``{a,b}`` group (what the examples' curl commands use)."""
    m = re.search(r'\{([^{}]*)\}', word)
    if not m:
        return [(word, None)]
    return [(word[:m.start()] + alt + word[m.end():], alt) for alt in m.group(1).split(',')]


def replay_curl(args, expand, rel, files):
    """``curl [-s] [--create-dirs] -o OUT URL``: the URL's files vendored from the snapshot (``#1`` in OUT is the
    brace alternative, as curl's globbing has it)."""
    import shlex
    words = shlex.split(args)
    out, url = None, None
    i = 0
    while i < len(words):
        w = words[i]
        if w == '-o':
            out = words[i + 1]
            i += 2
            continue
        if w in ('-s', '--create-dirs', '-L', '-sL', '-Ls', '-fsSL'):
            i += 1
            continue
        if w.startswith('-'):
            raise Unparsed('curl option ' + w)
        url = w
        i += 1
    if out is None or url is None:
        raise Unparsed('curl without -o FILE URL')
    url = expand(url)
    for u, alt in brace_expand(url):
        if u.endswith('.go'):
            raise Excluded('Go plugin: the example downloads Go source and builds a .so with the Go toolchain for '
                           'Go\'s plugin package; Conflux loads exec plugins only')
        if '/plugin/' in u:
            try:
                vendor_raw(u)
            except Unparsed:
                raise Excluded('exec plugin ' + u.rsplit('/', 1)[-1] + ': the example downloads it from '
                               + u[len(RAW_KUSTOMIZE):].split('/', 1)[0] + ', and it is not in kustomize\'s repository at '
                               + Interp.pkg_tag)
            raise Excluded('exec plugin (downloads a plugin to run)')
        dest = expand(out).replace('#1', alt if alt is not None else '')
        files[rel(dest)] = vendor_raw(u)


def sed_script(script):
    """``s/A/B/[g]`` (any delimiter) as a Python substitution, or None for other sed scripts."""
    if len(script) < 4 or script[0] != 's':
        return None
    d = script[1]
    parts = re.split(r'(?<!\\)' + re.escape(d), script[2:])
    if len(parts) != 3 or parts[2] not in ('', 'g'):
        return None
    pattern = parts[0].replace('\\' + d, d)
    # basic regular expressions: \( \) group, ( ) literal; the examples use plain text and . * ^ $
    pattern = re.sub(r'(?<!\\)([()+?{}|])', r'\\\1', pattern).replace('\\\\(', '(').replace('\\\\)', ')')
    repl = re.sub(r'\\(\d)', r'\\g<\1>', parts[1].replace('\\' + d, d)).replace('&', r'\g<0>')
    count = 0 if parts[2] == 'g' else 1

    def apply(text):
        return '\n'.join(re.sub(pattern, repl, line, count=count) for line in text.split('\n'))
    return apply


def replay_kustomize_edit(ln, expand, rel, files):
    """``kustomize edit`` as the examples use it, on the kustomization.yaml of the current directory: ``add resource
    F…``, ``set nameprefix P``, ``set namesuffix S``, ``set image NAME=NEW[:TAG]``, ``add configmap NAME --from-file
    F…`` (merged into a generator of that name), ``add patch --path P --name N --kind K --group G --version V``.
    The file is rewritten by PyYAML; the expectation is the reference's build of the result, so only the fields
    count, not kustomize edit's formatting."""
    import shlex
    import yaml
    try:
        words = [expand(w) for w in shlex.split(ln)][2:]
    except ValueError as e:
        raise Unparsed('kustomize edit line: ' + str(e))
    path = rel('kustomization.yaml')
    k = yaml.safe_load(files.get(path, '')) or {}
    if words[:2] == ['add', 'resource']:
        for r in words[2:]:
            k.setdefault('resources', [])
            if r not in k['resources']:
                k['resources'].append(r)
    elif words[:2] in (['set', 'nameprefix'], ['set', 'namesuffix']) and len(words) == 3:
        k['namePrefix' if words[1] == 'nameprefix' else 'nameSuffix'] = words[2]
    elif words[:2] == ['set', 'image'] and len(words) >= 3:
        images = k.setdefault('images', [])
        for spec in words[2:]:
            name, _, new = spec.partition('=')
            entry = {'name': name}
            if new:
                if '@' in new:
                    new_name, _, digest = new.partition('@')
                    entry.update({'newName': new_name, 'digest': digest} if new_name != name else {'digest': digest})
                else:
                    m = re.match(r'^(.*?)(?::([^:/]+))?$', new)
                    if m.group(1) != name:
                        entry['newName'] = m.group(1)
                    if m.group(2):
                        entry['newTag'] = m.group(2)
            images[:] = [i for i in images if i.get('name') != name] + [entry]
    elif words[:2] == ['add', 'configmap']:
        name, sources, i = None, [], 2
        while i < len(words):
            if words[i] == '--from-file':
                sources.append(words[i + 1])
                i += 2
            elif words[i].startswith('--from-file='):
                sources.append(words[i].split('=', 1)[1])
                i += 1
            elif words[i].startswith('-'):
                raise Unparsed('kustomize edit add configmap option ' + words[i])
            else:
                name = words[i]
                i += 1
        gens = k.setdefault('configMapGenerator', [])
        g = next((g for g in gens if g.get('name') == name), None)
        if g is None:
            g = {'name': name}
            gens.append(g)
        g.setdefault('files', []).extend(f for f in sources if f not in g.get('files', []))
    elif words[:2] == ['add', 'patch']:
        opts = {}
        i = 2
        while i < len(words):
            if not words[i].startswith('--') or i + 1 >= len(words):
                raise Unparsed('kustomize edit add patch argument ' + words[i])
            opts[words[i][2:]] = words[i + 1]
            i += 2
        patch = {'path': opts.pop('path')} if 'path' in opts else {'patch': opts.pop('patch')}
        target = {f: opts.pop(f) for f in ('group', 'version', 'kind', 'name', 'namespace') if f in opts}
        if opts:
            raise Unparsed('kustomize edit add patch options ' + ' '.join(opts))
        if target:
            patch['target'] = target
        if patch not in k.setdefault('patches', []):
            k['patches'].append(patch)
    else:
        raise Unparsed('kustomize edit ' + ' '.join(words[:2]))
    files[path] = yaml.safe_dump(k, sort_keys=False, default_flow_style=False)


def replay_tree_edit(ln, expand, rel, files):
    """The examples' commands that edit the tree: ``sed -i[SUFFIX] 's/A/B/[g]' FILE…``, ``rm [-f|-rf] PATH…``,
    ``touch FILE…``, ``cp SRC DST``, ``mv SRC DST``, ``echo TEXT >[>] FILE``; True when ``ln`` was one of them."""
    import shlex
    try:
        words = shlex.split(ln)
    except ValueError:
        return False
    if not words or any(w in ('|', '&&', ';', '||') for w in words):
        return False
    cmd = words[0]
    if cmd == 'sed' and len(words) >= 4 and words[1].startswith('-i'):
        apply = sed_script(words[2])
        if apply is None:
            raise Unparsed('sed script ' + words[2][:40])
        for f in words[3:]:
            p = rel(f)
            if p not in files:
                raise Unparsed('sed on a file the example does not have: ' + p)
            if words[1] != '-i':
                files[p + words[1][2:]] = files[p]
            files[p] = apply(files[p])
        return True
    if cmd == 'rm':
        for f in words[1:]:
            if f.startswith('-'):
                continue
            p = rel(f)
            for k in [k for k in files if k == p or k.startswith(p + '/')]:
                del files[k]
        return True
    if cmd == 'touch':
        for f in words[1:]:
            files.setdefault(rel(f), '')
        return True
    if cmd in ('cp', 'mv') and len(words) == 3:
        src, dst = rel(words[1]), rel(words[2])
        if src not in files:
            raise Unparsed(cmd + ' of a file the example does not have: ' + src)
        if any(k.startswith(dst + '/') for k in files):
            dst = dst + '/' + os.path.basename(src)
        files[dst] = files[src]
        if cmd == 'mv':
            del files[src]
        return True
    m = re.match(r'^echo\s+(.*?)\s*(>>?)\s*(\S+)$', ln)
    if m and cmd == 'echo':
        text = ' '.join(shlex.split(expand(m.group(1)))) + '\n'
        p = rel(m.group(3))
        files[p] = (files.get(p, '') if m.group(2) == '>>' else '') + text
        return True
    return False


def build_dir(arg, expand, rel):
    """The directory a ``kustomize build ARG`` builds, or a remote target's URL (vendored by ``remote_example``)."""
    if NETWORK.search(expand(arg)):
        return expand(arg).strip('"\'')
    return rel(arg)


def is_remote_dir(d):
    """True when a case's build directory is a remote URL (``kustomize build URL``)."""
    return bool(NETWORK.search(d)) or d.startswith('git@')


def remote_example(c):
    """Vendors what an example case fetches: the remote build target and the remote roots and files its
    kustomizations name (kustomize's own repository only); Excluded otherwise."""
    if is_remote_dir(c.dir) and not vendor_repo(c, c.dir):
        raise Excluded('network (kustomize build of ' + c.dir + ', not a repository root in the snapshot)')
    if c.repos or any(os.path.basename(p) in ('kustomization.yaml', 'kustomization.yml', 'Kustomization')
                      and REMOTE.search(content) for p, content in c.files.items()):
        vendor_remote(c)


def replay_example(blocks):
    """The builds an example's shell blocks make, as (files, build directory, extras): ``extras`` holds the case's
    ``options`` (``plugins=enabled`` for ``--enable-alpha-plugins``), its ``plugins`` (the files the example wrote
    under ``$XDG_CONFIG_HOME/kustomize/plugin`` of the build's command line, by path under that plugin home; taken out
    of the input tree) and its ``executables`` (the input files ``chmod +x`` made executable). Shell functions
    (``function NAME { … }``, ``NAME() { … }``) are replayed where they are called, ``$1``… ``$@`` bound to the
    call's words."""
    env = {'DEMO_HOME': ''}
    files, builds = {}, []
    cwd = ['']
    mktemp_vars = set()
    functions = {}
    executables = set()

    def snapshot(d, assignments='', flags=()):
        """One build of the tree as it is now (see the docstring for the extras)."""
        extras = {'options': {}, 'plugins': {}, 'executables': set()}
        snap = dict(files)
        if any(ALPHA_PLUGINS.match(f) for f in flags):
            xdg = re.search(r'(?:^|\s)XDG_CONFIG_HOME=(\S*)', assignments)
            if not xdg:
                raise Unparsed(LEGACY_PLUGIN)
            home = os.path.normpath(os.path.join(rel(xdg.group(1)), 'kustomize', 'plugin'))
            for p in [p for p in snap if p.startswith(home + '/')]:
                extras['plugins'][p[len(home) + 1:]] = snap.pop(p)
            extras['options']['plugins'] = 'enabled'
        extras['executables'] = {p for p in executables if p in snap}
        builds.append((snap, d, extras))

    def expand(v):
        v = re.sub(r'\$\(mktemp -d\)', '', v)
        return re.sub(SHELL_PARAM, lambda m: shell_param(m, env), v).strip('"')

    def rel(p):
        e = expand(p)
        p = os.path.normpath('/' + (e if e.startswith('/') else os.path.join(cwd[0], e))).lstrip('/')
        return p or '.'

    for label, kind, body in blocks:
        lines = body.split('\n')
        i = 0
        while i < len(lines):
            ln = lines[i].strip()
            i += 1
            m = FUNCTION_START.match(ln)
            if m:
                name, fbody = m.group(1) or m.group(2), []
                while i < len(lines) and lines[i].strip() != '}':
                    fbody.append(lines[i])
                    i += 1
                if i == len(lines):
                    raise Unparsed('shell function ' + name + ' without its closing brace')
                i += 1
                functions[name] = fbody
                continue
            words = ln.split()
            if words and words[0] in functions:
                import shlex
                args = shlex.split(expand(' '.join(words[1:]))) if len(words) > 1 else []

                def positional(pm):
                    k = pm.group(1) or pm.group(2)
                    if k in ('@', '*'):
                        return ' '.join(args)
                    return args[int(k) - 1] if int(k) <= len(args) else ''
                lines[i:i] = [re.sub(r'\$\{([1-9@*])\}|\$([1-9@*])', positional, fl) for fl in functions[words[0]]]
                continue
            while ln.endswith('\\') and i < len(lines):
                # a backslash-newline outside a heredoc joins the lines, as the shell reads them
                ln = ln[:-1] + lines[i]
                i += 1
            ln = ln.strip()
            if not ln or ln.startswith('#'):
                continue
            m = re.match(r'^curl\s+(.*)$', ln)
            if m:
                replay_curl(m.group(1), expand, rel, files)
                continue
            m = re.match(r'^(\w+)=("[^"$]*"|[^\s$"]+)$', ln)
            if m and NETWORK.search(ln):
                env[m.group(1)] = m.group(2).strip('"')
                continue
            if NETWORK.search(ln):
                raise Excluded(network_reason(ln))
            m = HEREDOC_START.match(ln)
            r = HEREDOC_START_REDIRECT_FIRST.match(ln) if not m else None
            if m or r:
                quoted, tag, mode, dest = m.groups() if m else (r.group(3), r.group(4), r.group(1), r.group(2))
                content = []
                while i < len(lines) and lines[i] != tag:
                    content.append(lines[i])
                    i += 1
                i += 1
                c = '\n'.join(content) + '\n'
                if not quoted:
                    c = re.sub(r'\\\$', '$', c) if '$' not in re.sub(r'\\\$', '', c) else expand_body(c, env)
                p = rel(dest)
                files[p] = (files.get(p, '') if mode == '>>' else '') + c
                continue
            m = re.match(r'^(\w+)=(\S+)$', ln)
            if m:
                if '$(mktemp -d)' in m.group(2) and m.group(1) in mktemp_vars:
                    files.clear()  # a second workspace (components.md): the first one's files are not in it
                if '$(mktemp -d)' in m.group(2):
                    mktemp_vars.add(m.group(1))
                env[m.group(1)] = expand(m.group(2))
                continue
            m = BUILD_COMMAND.match(ln)
            if m:
                if '--enable-helm' in ln or '--helm-command' in ln:
                    raise Unparsed(HELM_REFERENCE)
                assignments = expand(m.group(1)) if m.group(1) else ''
                for name in re.findall(r'(\w+)=', m.group(1)):
                    if name != 'XDG_CONFIG_HOME':
                        raise Unparsed('build environment ' + name)
                words = m.group(2).split()
                rest = next((k for k, w in enumerate(words) if w.startswith(('|', '>', '#'))), len(words))
                flags = [w for w in words[:rest] if w.startswith('-')]
                dirs = [w for w in words[:rest] if not w.startswith('-')]
                if len(dirs) != 1 or any(not ALPHA_PLUGINS.match(f) for f in flags):
                    raise Unparsed('build flags ' + ' '.join(words[:rest]))
                snapshot(build_dir(dirs[0], expand, rel), assignments, flags)
                continue
            if re.match(r'^(mkdir|test|diff|grep|echo \S+$|expected=|\)|\(|done|for |if |fi|then|else|\[)', ln) \
                    and 'kustomize build' not in ln and 'kubectl kustomize' not in ln:
                continue
            m = re.match(r'^cd\s+(\S+)$', ln)
            if m:
                cwd[0] = rel(m.group(1))
                continue
            if ln.startswith('kustomize edit '):
                replay_kustomize_edit(ln, expand, rel, files)
                continue
            if replay_tree_edit(ln, expand, rel, files):
                continue
            m = re.match(r'^chmod\s+(\+x|[0-7]?[1357][0-7]{2})\s+(.+)$', ln)
            if m:
                for f in m.group(2).split():
                    if rel(f) not in files:
                        raise Unparsed('chmod of a file the example does not have: ' + rel(f))
                    executables.add(rel(f))
                continue
            if re.match(r'^(cp|mv|rm|sed|echo .*>|touch|ln|chmod|kustomize edit|kustomize (create|localize))', ln):
                raise Unparsed('shell command that changes the tree: ' + ln[:50])
            if 'kustomize build' in ln or 'kubectl kustomize' in ln:
                m = re.search(r'(?:kustomize build|kubectl kustomize)\s+(\$\S+|\.\S*)', ln)
                if m:
                    snapshot(build_dir(m.group(1).rstrip(')"'), expand, rel))
                continue
    return builds


def expand_body(c, env):
    def sub(m):
        if m.group(0).startswith('\\'):
            return m.group(0)[1:]
        return shell_param(m, env)
    return re.sub(r'\\\$|' + SHELL_PARAM, sub, c)


# $NAME, ${NAME}, ${NAME:-default} (a word without nested expansions)
SHELL_PARAM = r'\$\{(\w+)(?::-([^}$]*))?\}|\$(\w+)'


def shell_param(m, env):
    """A parameter expansion as the shell does it: the variable's value; for ``${NAME:-default}`` the default when
    NAME is unset or empty; an unset variable is empty (the examples
    run without ``set -u``: ``$patch`` in an unquoted heredoc is an empty word)."""
    name = m.group(1) or m.group(3)
    value = env.get(name, '')
    if m.group(1) and m.group(2) is not None and not value:
        value = m.group(2)
    return value


def reference(kubectl, c):
    """The reference's build of the case (``c.expected``, or ``c.error``: the message's last line; its first line,
    kubectl's ``error: …``, when the last holds a Go pointer — ``0xc000…``, an address that differs from run to run).
    The remote files a case names (``c.remote``) are not fetched: each URL in a kustomization is replaced by a copy of
    its vendored file next to that kustomization, for this build only. A case's legacy exec plugins (``c.plugins``)
    are written, executable, under ``$XDG_CONFIG_HOME/kustomize/plugin`` of a directory of its own, and
    ``plugins=enabled`` adds ``--enable-alpha-plugins``."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        files = dict(c.files)
        for k, (url, content) in enumerate(sorted(c.remote.items())):
            for p in [p for p in files if os.path.basename(p) in ('kustomization.yaml', 'kustomization.yml',
                                                                   'Kustomization') and url in files[p]]:
                local = f'vendored-remote-{k}.yaml'
                files[os.path.join(os.path.dirname(p), local)] = content
                files[p] = re.sub(r'(?<=[\s:-])' + re.escape(url) + r'(?=\s|$)', local, files[p])
        for p, content in files.items():
            fp = os.path.join(tmp, p)
            os.makedirs(os.path.dirname(fp), exist_ok=True)
            with open(fp, 'w', encoding='utf-8', errors='surrogateescape') as fh:
                fh.write(content)
        env = dict(os.environ)
        if c.plugins:
            xdg = os.path.join(tmp, '.xdg-config-home')
            for p, content in c.plugins.items():
                fp = os.path.join(xdg, 'kustomize', 'plugin', p)
                os.makedirs(os.path.dirname(fp), exist_ok=True)
                with open(fp, 'w') as fh:
                    fh.write(content)
                os.chmod(fp, 0o755)
            env['XDG_CONFIG_HOME'] = xdg
        if c.repos:
            # kubectl's kustomize clones with the git binary: it gets a repository holding the vendored trees, each
            # committed and tagged with its ref, offline (the snapshot itself lacks objects of old tags)
            env.update({'GIT_CONFIG_COUNT': '1', 'GIT_CONFIG_KEY_0': 'url.file://' + vendored_git_repo(
                os.path.join(tmp, '.vendored-repo'), c.repos) + '.insteadOf',
                'GIT_CONFIG_VALUE_0': 'https://' + KUSTOMIZE_REPO})
        target = c.dir if is_remote_dir(c.dir) else os.path.join(tmp, c.dir.lstrip('/'))
        flags = ['--load-restrictor', 'LoadRestrictionsNone'] if c.options.get('loadRestrictor') == 'none' else []
        if c.options.get('plugins') == 'enabled':
            flags.append('--enable-alpha-plugins')
        r = subprocess.run([kubectl, 'kustomize', target] + flags, capture_output=True, text=True, env=env)
        if r.returncode == 0:
            c.expected = r.stdout
        else:
            lines = r.stderr.strip().split('\n')
            line = lines[-1]
            if re.search(r'\b0xc[0-9a-f]{6,}\b', line):
                line = next((ln for ln in lines if ln.startswith('error: ')), line).rstrip()
            c.error = [line.replace(tmp, '')]


def vendored_git_repo(path, repos):
    """A git repository at ``path`` with one commit per vendored (repository, ref) tree, tagged with the ref."""
    genv = dict(os.environ, GIT_AUTHOR_NAME='conformance', GIT_AUTHOR_EMAIL='conformance@localhost',
                GIT_COMMITTER_NAME='conformance', GIT_COMMITTER_EMAIL='conformance@localhost',
                GIT_AUTHOR_DATE='2000-01-01T00:00:00Z', GIT_COMMITTER_DATE='2000-01-01T00:00:00Z')

    def git(*args):
        subprocess.run(['git', '-C', path] + list(args), check=True, capture_output=True, env=genv)
    os.makedirs(path)
    git('init', '-q')
    for (_, ref), tree in sorted(repos.items()):
        git('rm', '-rq', '--ignore-unmatch', '.')
        for p, content in tree.items():
            fp = os.path.join(path, p)
            os.makedirs(os.path.dirname(fp), exist_ok=True)
            with open(fp, 'w') as fh:
                fh.write(content)
        git('add', '-A')
        git('commit', '-qm', ref)
        git('tag', ref)
    return path


def git_out(git, *args):
    return subprocess.run(['git', '--git-dir', git] + list(args), check=True, capture_output=True,
                          text=True).stdout


# --------------------------------------------------------------------------------------------- main

REMOTE = re.compile(r'^\s*(?:-\s*|path:\s*|- path:\s*)["\']?(?:https?://|github\.com/|git::|ssh://|git@)', re.M)
NETWORK_FILES = {}
# tests whose remote inputs are not in the snapshot, with the reason
NETWORK_TESTS = {'remoteloader__TestRemoteLoad_LocalProtocol': 'network (file:// git repositories the test makes at run '
                 'time with a shell script: git init, commits on two branches, absolute and relative submodules)'}
EXEC_FILES = {'chartinflatorplugin_test.go': 'exec plugin ChartInflator: its program is not in kustomize\'s repository at '
                                            'the tag (the test builds only with the notravis tag) and would run a helm '
                                            'binary on a chart fetched from the network',
              'pluginenv_test.go': 'exec plugin environment: the expected output holds the plugin home and the '
                                   'temporary directory of the machine running the test (absolute paths)'}


def helm_charts_of(files):
    """The charts a case's kustomizations name: (kustomization dir, chart home, name, version, repo)."""
    import yaml
    out = []
    for p, content in files.items():
        if os.path.basename(p) not in ('kustomization.yaml', 'kustomization.yml', 'Kustomization'):
            continue
        try:
            k = yaml.safe_load(content) or {}
        except yaml.YAMLError:
            continue
        home = ((k.get('helmGlobals') or {}).get('chartHome')) or 'charts'
        for c in k.get('helmCharts') or []:
            out.append((os.path.dirname(p), home, str(c.get('name', '')), str(c.get('version', '') or ''),
                        str(c.get('repo', '') or '')))
        for c in k.get('helmChartInflationGenerator') or []:
            out.append((os.path.dirname(p), c.get('chartHome') or home, str(c.get('chartName', '')),
                        str(c.get('chartVersion', '') or ''), str(c.get('chartRepoUrl', '') or '')))
    return out


def vendor_charts(c, sources):
    """Puts the remote charts a helm case pulls into its input where kustomize's helm pull would unpack them
    (``<chartHome>/<name>-<version>/<name>`` when version and repo are set, else ``<chartHome>/<name>``), from a
    git snapshot of the chart's sources: ``sources`` maps a repository URL (without trailing slash) to
    (git dir, tag format, path format), the formats taking ``{name}`` and ``{version}``.
    Raises Excluded when a chart has no source."""
    for kdir, home, name, version, repo in helm_charts_of(c.files):
        if not repo:
            continue
        rel = os.path.normpath(os.path.join(kdir, home, f'{name}-{version}' if version else '', name))
        if any(p.startswith(rel + '/') for p in c.files):
            continue
        src = sources.get(repo.rstrip('/'))
        if src is None or not version:
            raise Excluded(f'network (helm chart {name} {version} from {repo}; no vendored source for it)')
        vendor_chart(c.files, rel, name, version, src, sources)


RELEASE_COMMIT = '@release-commit'


def chart_commit(git, tag_fmt, root, name, version):
    """The commit holding a chart's source at a version: the tag ``tag_fmt`` names, or with ``@release-commit`` (for
    repositories that tag no chart releases, like bitnami/charts) the oldest commit whose ``<root>/Chart.yaml`` says
    ``version: <version>`` (the release commit; later commits may change the chart without releasing it)."""
    if tag_fmt != RELEASE_COMMIT:
        return tag_fmt.format(name=name, version=version)
    pattern = '^version: ' + re.escape(version) + '$'
    for sha in reversed(git_out(git, 'log', '--format=%H', '-G', pattern, '--', f'{root}/Chart.yaml').split()):
        shown = subprocess.run(['git', '--git-dir', git, 'show', f'{sha}:{root}/Chart.yaml'], capture_output=True,
                               text=True)
        if shown.returncode == 0 and re.search(pattern, shown.stdout, re.M):
            return sha
    raise Excluded(f'network (helm chart {name} {version}: no commit of its source has that version)')


def vendor_chart(files, rel, name, version, src, sources):
    """A chart's source at ``version`` into ``files`` under ``rel``, with the dependencies its Chart.lock pins (those
    whose repository has a source) under ``rel/charts/<name>``, where a packaged chart carries them."""
    import yaml
    git, tag_fmt, path_fmt = src
    root = path_fmt.format(name=name, version=version).rstrip('/')
    ref = chart_commit(git, tag_fmt, root, name, version)
    VENDORED_CHARTS.append((f'{name} {version}', git, ref))
    names = git_out(git, 'ls-tree', '-r', '--name-only', f'{ref}:{root}').split()
    for f in names:
        files[os.path.join(rel, f)] = git_out(git, 'show', f'{ref}:{root}/{f}')
    if 'Chart.lock' not in names:
        return
    for dep in (yaml.safe_load(files[os.path.join(rel, 'Chart.lock')]) or {}).get('dependencies') or []:
        dep_src = sources.get(str(dep.get('repository', '')).rstrip('/'))
        if dep_src is None:
            raise Excluded(f'network (helm chart {name} {version} depends on {dep.get("name")} {dep.get("version")} '
                           f'from {dep.get("repository")}; no vendored source for it)')
        vendor_chart(files, os.path.join(rel, 'charts', str(dep['name'])), str(dep['name']), str(dep['version']),
                     dep_src, sources)


VENDORED_CHARTS = []  # (chart, git dir, commit or tag) for SOURCE


def main():
    git, tag, out = sys.argv[1], sys.argv[2], sys.argv[3]
    kubectl, sources = None, {}
    rest = sys.argv[4:]
    while rest:
        if rest[0] == '--reference' and len(rest) > 1:
            kubectl, rest = rest[1], rest[2:]
        elif rest[0] == '--chart-source' and len(rest) > 1:
            url, spec = rest[1].split('=', 1)
            sources[url.rstrip('/')] = tuple(spec.split(':', 2))
            rest = rest[2:]
        else:
            sys.exit('usage: krusty_cases.py GIT_DIR TAG OUT_DIR [--reference KUBECTL] '
                     '[--chart-source REPO_URL=GIT_DIR:TAG_FORMAT:PATH_FORMAT]...')
    LEGACY_CONFIGS[0] = legacy_configs(git, tag)
    Interp.pkg_git, Interp.pkg_tag = git, tag
    names = [n for n in git_out(git, 'ls-tree', '--name-only', f'{tag}:api/krusty').split() if n.endswith('_test.go')]
    package = {n: GoFile(n, git_out(git, 'show', f'{tag}:api/krusty/{n}')) for n in names}
    cases, listed = [], []
    total_tests = 0
    for n, f in sorted(package.items()):
        for fn, (params, body) in f.funcs.items():
            if not fn.startswith('Test') or params != ['t']:
                continue
            total_tests += 1
            base = n[:-len('_test.go')] + '__' + fn
            if n in NETWORK_FILES or n in EXEC_FILES:
                listed.append((base, 'excluded', NETWORK_FILES.get(n) or EXEC_FILES[n]))
                continue
            if base in NETWORK_TESTS:
                listed.append((base, 'excluded', NETWORK_TESTS[base]))
                continue
            if n == 'fnplugin_test.go' and 'Container' in fn:
                listed.append((base, 'excluded', 'KRM container function: kustomize runs it with a container '
                               'runtime (docker run); Conflux runs exec functions only, and no Docker engine exists '
                               'where the corpus runs'))
                continue
            it = Interp(package, f, fn)
            try:
                it.run(body, {})
            except StopIteration:
                pass
            except Unparsed as e:
                listed.append((base, 'unparsed', str(e)))
                continue
            except Excluded as e:
                listed.append((base, 'excluded', str(e)))
                continue
            if it.skipped and not it.cases:
                listed.append((base, 'excluded', it.skipped))
                continue
            it.go_checked_build()
            try:
                for c in it.cases:
                    if c.go_checked:
                        reference_go_checked(kubectl, c)
                relocated = [relocate_above_root(kubectl, c) for c in it.cases]
            except Unparsed as e:
                listed.append((base, 'unparsed', str(e)))
                continue
            if not it.cases:
                listed.append((base, 'unparsed', 'no build found'))
                continue
            remote = [c for c in it.cases if any(
                os.path.basename(p) in ('kustomization.yaml', 'kustomization.yml', 'Kustomization')
                and REMOTE.search(content) for p, content in c.files.items())]
            above = [c for c, moved in zip(it.cases, relocated) if not moved and any(
                os.path.basename(p) in ('kustomization.yaml', 'kustomization.yml', 'Kustomization')
                and any(os.path.normpath(os.path.join(os.path.dirname(p), m)).startswith('..')
                        for m in re.findall(r'^\s*-\s*((?:\.\./)+\S*)\s*$', content, re.M))
                for p, content in c.files.items())]
            if above:
                listed.append((base, 'unparsed', "a path above the root: kustomize's in-memory file system "
                               "reads '/..' as '/', a real one does not"))
                continue
            if remote:
                try:
                    for c in remote:
                        vendor_remote(c)
                except (Excluded, Unparsed) as e:
                    listed.append((base, 'excluded', 'network (a remote resource or schema in the kustomization: '
                                   + str(e) + ')'))
                    continue
            try:
                for c in it.cases:
                    if c.options.get('helm') == 'enabled':
                        vendor_charts(c, sources)
            except Excluded as e:
                listed.append((base, 'excluded', str(e)))
                continue
            for k, c in enumerate(it.cases):
                c.name = base if len(it.cases) == 1 else f'{base}_{k + 1}'
                if c.error is not None and not c.error:
                    c.error = []
                cases.append(c)
    n_examples = example_cases(git, tag, cases, listed, kubectl)
    write_out(out, cases, listed, git, tag, total_tests, n_examples)


def reference_go_checked(kubectl, c):
    """The expected stream of a build the test checks in Go code: the reference's (kubectl's order, kustomize's
    legacy one, instead of krusty's input order), which must have the names the Go code asserts."""
    if kubectl is None:
        raise Unparsed('a build checked in Go code: its expected output needs the reference kubectl (--reference)')
    c.options.pop('reorder', None)
    if set(c.options) - {'loadRestrictor'}:
        raise Unparsed('a build checked in Go code with options the reference cannot take: ' + ' '.join(c.options))
    reference(kubectl, c)
    if c.error is not None:
        raise Unparsed('a build checked in Go code fails with the reference: ' + ' '.join(c.error)[:60])
    missing = [n for n in c.go_names if not re.search(r'^\s*name: ' + re.escape(n) + r'$', c.expected, re.M)]
    if missing:
        raise Unparsed('the reference output lacks the names the Go code asserts: ' + ' '.join(missing))


def relocate_above_root(kubectl, c):
    """kustomize's in-memory file system reads ``/..`` as ``/``: a build of the root whose kustomization names only
    ``../X`` entries reads ``/X``. On a real file system the same tree needs that kustomization one level down: it
    moves to a new directory, built instead; the reference must build the moved tree to the objects the test
    expects (in any order: kubectl's is kustomize's legacy one). True when moved; Unparsed when the reference
    disagrees."""
    import yaml
    if c.dir.strip('/.') or 'kustomization.yaml' not in c.files or c.expected is None:
        return False
    entries = re.findall(r'^\s*-\s*(\S+)\s*$', c.files['kustomization.yaml'], re.M)
    if not entries or not all(e.startswith('../') and not e.startswith('../../') for e in entries):
        return False
    sub = next(n for n in ('root', 'root1', 'root2', 'root3') if not any(p.startswith(n + '/') for p in c.files))
    c.files[sub + '/kustomization.yaml'] = c.files.pop('kustomization.yaml')
    c.dir = sub
    if kubectl is None:
        raise Unparsed("a path above the root (kustomize's in-memory file system reads '/..' as '/'): the moved tree "
                       'needs the reference kubectl (--reference) to confirm it')
    check = Case(c.name)
    check.files, check.dir, check.options = c.files, c.dir, {k: v for k, v in c.options.items() if k != 'reorder'}
    reference(kubectl, check)

    def docs(text):
        return sorted(repr(d) for d in yaml.safe_load_all(text or '') if d is not None)
    if check.error is not None or docs(check.expected) != docs(c.expected):
        raise Unparsed("a path above the root: kustomize's in-memory file system reads '/..' as '/', and the "
                       'reference builds the tree moved one level down differently')
    return True


def legacy_configs(git, tag):
    """builtinpluginconsts.GetDefaultFieldSpecsAsMap, concatenated (what th.WriteLegacyConfigs writes)."""
    d = 'api/internal/konfig/builtinpluginconsts'
    out = []
    for n in sorted(git_out(git, 'ls-tree', '--name-only', f'{tag}:{d}').split()):
        if not n.endswith('.go') or n.endswith('_test.go') or n in ('defaultconfig.go', 'doc.go'):
            continue
        f = GoFile(n, git_out(git, 'show', f'{tag}:{d}/{n}'))
        for k, v in f.consts.items():
            try:
                out.append((k, Interp({}, f, None).eval(v, {})))
            except Unparsed:
                pass
    # GetDefaultFieldSpecsAsMap iterates a Go map: any order; sorted by name for a stable file
    return ''.join(v for k, v in sorted(out))


def write_repos(d, c):
    """The case's vendored remote roots: ``remote/git.tsv`` (repository, ref, directory) and the trees under
    ``remote/git/<n>/``."""
    if not c.repos:
        return
    os.makedirs(os.path.join(d, 'remote'), exist_ok=True)
    with open(os.path.join(d, 'remote', 'git.tsv'), 'w') as fh:
        for k, ((repo, ref), tree) in enumerate(sorted(c.repos.items())):
            fh.write(f'{repo}\t{ref}\tgit/{k}\n')
            for p, content in sorted(tree.items()):
                fp = os.path.join(d, 'remote', 'git', str(k), p)
                os.makedirs(os.path.dirname(fp), exist_ok=True)
                with open(fp, 'w') as out:
                    out.write(content)


def write_plugins(d, c):
    """The case's legacy exec plugins under ``plugins/`` (the plugin home the runner gives the build), executable."""
    for p, content in sorted(c.plugins.items()):
        fp = os.path.join(d, 'plugins', p)
        os.makedirs(os.path.dirname(fp), exist_ok=True)
        with open(fp, 'w') as fh:
            fh.write(content)
        os.chmod(fp, 0o755)


def write_out(out, cases, listed, git, tag, total_tests, n_examples):
    cdir = os.path.join(out, 'cases')
    if os.path.isdir(cdir):
        shutil.rmtree(cdir)
    os.makedirs(cdir)
    commit = git_out(git, 'rev-parse', f'{tag}^{{commit}}').strip()
    for c in cases:
        d = os.path.join(cdir, c.name)
        for p, content in c.files.items():
            fp = os.path.join(d, 'input', p)
            os.makedirs(os.path.dirname(fp), exist_ok=True)
            with open(fp, 'w', encoding='utf-8', errors='surrogateescape') as fh:
                fh.write(content)  # bytes a test wrote that are not UTF-8 (manyHellos) come back as they were
            if p in getattr(c, 'executables', ()):
                os.chmod(fp, 0o755)
        os.makedirs(os.path.join(d, 'input'), exist_ok=True)
        cmd = c.dir if is_remote_dir(c.dir) else os.path.normpath(c.dir.lstrip('/')) if c.dir.strip('/') else '.'
        with open(os.path.join(d, 'cmd'), 'w') as fh:
            fh.write(cmd + '\n')
        if c.options:
            with open(os.path.join(d, 'options'), 'w') as fh:
                fh.write(''.join(f'{k}={v}\n' for k, v in sorted(c.options.items())))
        if c.remote:
            os.makedirs(os.path.join(d, 'remote', 'files'))
            with open(os.path.join(d, 'remote', 'http.tsv'), 'w') as fh:
                for k, (url, content) in enumerate(sorted(c.remote.items())):
                    fh.write(f'{url}\tfiles/{k}\n')
                    with open(os.path.join(d, 'remote', 'files', str(k)), 'w') as body:
                        body.write(content)
        write_plugins(d, c)
        write_repos(d, c)
        if c.contains is not None:
            with open(os.path.join(d, 'expected-contains'), 'w') as fh:
                fh.write(c.contains)
        if c.error is not None:
            with open(os.path.join(d, 'expected-error'), 'w') as fh:
                fh.write(''.join(m.replace('\n', ' ') + '\n' for m in c.error))
        elif c.expected is not None:
            with open(os.path.join(d, 'expected.yaml'), 'w') as fh:
                fh.write(c.expected)
    with open(os.path.join(out, 'unparsed.tsv'), 'w') as fh:
        fh.write('case\tstatus\treason\n')
        for name, status, reason in sorted(listed):
            reason = re.sub(r'[\x00-\x1f\x7f]', ' ', reason)
            fh.write(f'{name}\t{status}\t{reason}\n')
    with open(os.path.join(out, 'SOURCE'), 'w') as fh:
        fh.write(f'kubernetes-sigs/kustomize {tag} {commit} (Apache-2.0)\n')
        for read, sha in sorted({(r, c) for _, r, c in VENDORED}):
            urls = sorted({u for u, r, _ in VENDORED if r == read})
            fh.write(f'vendored from {read} ({sha}): {len(urls)} files the examples and tests download'
                     f'{" (they name master; read at the tag)" if read == tag else ""}\n')
        for read, sha in sorted({(r, c) for _, r, c in VENDORED_REPOS}):
            urls = sorted({u for u, r, _ in VENDORED_REPOS if r == read})
            fh.write(f'vendored from {read} ({sha}): the trees of {len(urls)} remote kustomization URLs\n')
        for chart, cgit, ref in sorted(set(VENDORED_CHARTS)):
            sha = git_out(cgit, 'rev-parse', f'{ref}^{{commit}}').strip()
            fh.write(f'vendored helm chart {chart} from its source at {sha}\n')
        fh.write(f'tests: {total_tests + EXAMPLE_FILES[0]} ({total_tests} test functions, {EXAMPLE_FILES[0]} example '
                 f'files); cases: {len(cases)} ({n_examples} from examples/); '
                 f'excluded: {sum(1 for x in listed if x[1] == "excluded")}; '
                 f'unparsed: {sum(1 for x in listed if x[1] == "unparsed")}\n')
    print(open(os.path.join(out, 'SOURCE')).read(), end='')


if __name__ == '__main__':
    main()
