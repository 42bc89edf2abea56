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

Tests whose shape this interpreter does not follow (table-driven loops, direct file-system access,
assertions on Go values) are listed in ``unparsed.tsv`` with the reason. ``examples/*.md`` become cases
too (``cat <<EOF >$DEMO_HOME/...`` blocks for the input; the expected output blocks they diff against).

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
        self._scan()

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
                i = end + 1
            elif t[i].kind == 'ident' and t[i].text in ('const', 'var') and (i == 0 or t[i - 1].kind == 'nl'):
                if t[i + 1].text == '(':
                    end = matching(t, i + 1)
                    self._decls(t[i + 2:end])
                    i = end + 1
                else:
                    j = i + 1
                    while j < len(t) and t[j].kind != 'nl':
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

    def _decls(self, toks):
        lines, cur = [], []
        for k in toks:
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
    def __init__(self, name):
        self.name = name
        self.files = {}
        self.dir = None
        self.expected = None
        self.error = None
        self.options = {}
        self.excluded = None
        self.executables = set()


class Closure:
    def __init__(self, toks):
        self.toks = toks


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
        self.helm = False           # a helm test: its builds inflate charts (options helm=enabled)
        self.executables = set()    # files the test made executable (os.Chmod): exec KRM functions

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
            return env[name]
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
        if len(toks) == 3 and toks[0].kind == 'ident' and toks[1].text == '.' and toks[2].text == 'Root':
            return '/'
        # exec/helm tests: the harness's root (th.GetRoot()) and a temporary directory (tmpDir.String())
        if len(toks) == 5 and [k.text for k in toks[1:]] == ['.', 'GetRoot', '(', ')']:
            return '/'
        if len(toks) == 5 and [k.text for k in toks[1:]] == ['.', 'String', '(', ')'] and toks[0].text in env:
            return env[toks[0].text]
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
            raise Unparsed('loop in the test body')
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
            self.set_option(self.optvars[texts[0]], texts[2], texts[-1])
            return
        if 'PrepExecPlugin' in texts:
            raise Excluded('exec plugin (PrepExecPlugin)')
        if self.exec_or_helm_stmt(s, texts, env):
            return
        if head in ('assert', 'require') and ('GetSchemaVersion' in texts or 'DefaultOpenAPI' in texts):
            return  # an assertion on kyaml's global schema state after the build; the build itself is the case
        if 'GetFSys' in texts or 'MkDir' in texts or 'fSys' in texts or 'filesys' in texts:
            raise Unparsed('direct file-system access')
        if 'BuildGoPlugin' in texts:
            raise Excluded('Go plugin (BuildGoPlugin)')
        if 'ErrIfNoHelm' in texts or 'MakeEnhancedHarnessWithTmpRoot' in texts:
            raise Excluded('helm binary (exec) or a temporary directory on disk')
        if 'httptest' in texts or 'NewServer' in texts:
            raise Excluded('network (an HTTP server)')
        # th := kusttest_test.MakeHarness(t) / MakeEnhancedHarness(t)...
        if len(texts) > 2 and texts[1] in (':=', '=') and any(x in texts for x in ('MakeHarness', 'MakeEnhancedHarness', 'MakeHarnessWithFs')):
            self.harness_vars.add(texts[0])
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
        # a helper of the package called with the harness: writeBase(th) / writeX(th, "dir")
        if s[0].kind == 'ident' and len(texts) > 1 and texts[1] == '(':
            fn = self.find_func(texts[0])
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
        if head in ('assert', 'require') and len(texts) > 4 and texts[2] in ('Error', 'Errorf'):
            inner = [k for k in s[4:] if k.kind != 'nl']
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
        # yml, err := m.AsYaml(): the stream as text, asserted next
        if len(texts) >= 8 and texts[1] == ',' and texts[3] == ':=' and texts[5:8] == ['.', 'AsYaml', '(']:
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

    def find_func(self, name):
        if name in self.file.funcs:
            return self.file.funcs[name]
        for f in self.pkg.values():
            if name in f.funcs:
                return f.funcs[name]
        return None

    def if_stmt(self, s, env):
        texts = [k.text for k in s]
        if self.pending_err is not None and 'err' in texts:
            self.record_err_message(s, env)
            return
        if 'ErrIfNoHelm' in texts:
            self.helm = True     # the test needs helm: its builds inflate charts (helm=enabled)
            return
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
            if self.helm:
                c.options['helm'] = 'enabled'
            if method == 'Run':
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
        strs = []
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

    def write(self, path, content):
        path = os.path.normpath(path.lstrip('/')) if path.strip('/') else '.'
        self.files[path] = content


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

BLOCK = re.compile(r'<!-- @(\w+) @(test\w*) -->\s*\n```\w*\n(.*?)```', re.S)
HEREDOC_START = re.compile(r"^cat <<-?\s*(['\"]?)(\w+)\1\s*(>>?)\s*(\S+)\s*$")
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
        text = git_out(git, 'show', f'{tag}:{path}')
        base = 'examples__' + re.sub(r'\W', '_', path[len('examples/'):-3])
        blocks = BLOCK.findall(text)
        if not blocks:
            listed.append((base, 'unparsed', 'no tested shell block'))
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
            listed.append((base, 'unparsed', 'no kustomize build of a local directory'))
            continue
        for k, (files, d) in enumerate(builds):
            c = Case(base if len(builds) == 1 else f'{base}_{k + 1}')
            c.files, c.dir, c.options = files, d, {}
            if kubectl is None:
                listed.append((c.name, 'unparsed', 'expected output needs the reference kubectl (--reference)'))
                continue
            reference(kubectl, c)
            out_cases.append(c)
            n += 1
    return n


def replay_example(blocks):
    env = {'DEMO_HOME': ''}
    files, builds = {}, []

    def expand(v):
        v = re.sub(r'\$\(mktemp -d\)', '', v)
        v = re.sub(r'\$\{?(\w+)\}?', lambda m: env.get(m.group(1), '\0'), v)
        if '\0' in v:
            raise Unparsed('unknown shell variable in ' + v)
        return v.strip('"')

    def rel(p):
        p = os.path.normpath('/' + expand(p)).lstrip('/')
        return p or '.'

    for label, kind, body in blocks:
        lines = body.split('\n')
        i = 0
        while i < len(lines):
            ln = lines[i].strip()
            i += 1
            if not ln or ln.startswith('#'):
                continue
            if NETWORK.search(ln):
                raise Excluded('network (fetches a remote resource)')
            m = HEREDOC_START.match(ln)
            if m:
                quoted, tag, mode, dest = m.groups()
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
                env[m.group(1)] = expand(m.group(2))
                continue
            m = re.match(r'^(?:kustomize build|kubectl kustomize)\s+(\S+)(.*)$', ln)
            if m:
                if m.group(2).strip() and not m.group(2).strip().startswith(('|', '>')):
                    raise Unparsed('build flags ' + m.group(2).strip())
                builds.append((dict(files), rel(m.group(1))))
                continue
            if re.match(r'^(mkdir|test|diff|grep|echo \S+$|expected=|\)|\(|done|for |if |fi|then|else|\[)', ln):
                continue
            if re.match(r'^(cp|mv|rm|sed|echo .*>|touch|ln|chmod|kustomize edit|kustomize (create|localize))', ln):
                raise Unparsed('shell command that changes the tree: ' + ln[:50])
            if 'kustomize build' in ln or 'kubectl kustomize' in ln:
                m = re.search(r'(?:kustomize build|kubectl kustomize)\s+(\$\S+|\.\S*)', ln)
                if m:
                    builds.append((dict(files), rel(m.group(1).rstrip(')"'))))
                continue
    return builds


def expand_body(c, env):
    def sub(m):
        if m.group(0).startswith('\\'):
            return m.group(0)[1:]
        name = m.group(1) or m.group(2)
        if name not in env:
            raise Unparsed('heredoc uses an unknown shell variable $' + name)
        return env[name]
    return re.sub(r'\\\$|\$\{(\w+)\}|\$(\w+)', sub, c)


def reference(kubectl, c):
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        for p, content in c.files.items():
            fp = os.path.join(tmp, p)
            os.makedirs(os.path.dirname(fp), exist_ok=True)
            with open(fp, 'w') as fh:
                fh.write(content)
        r = subprocess.run([kubectl, 'kustomize', os.path.join(tmp, c.dir)], capture_output=True, text=True)
        if r.returncode == 0:
            c.expected = r.stdout
        else:
            c.error = [r.stderr.strip().split('\n')[-1].replace(tmp, '')]


def git_out(git, *args):
    return subprocess.run(['git', '--git-dir', git] + list(args), check=True, capture_output=True,
                          text=True).stdout


# --------------------------------------------------------------------------------------------- main

REMOTE = re.compile(r'^\s*(?:-\s*|path:\s*|- path:\s*)(?:https?://|github\.com/|git::|ssh://)', re.M)
NETWORK_FILES = {'remoteloader_test.go': 'network (remote git/HTTP resources)'}
EXEC_FILES = {'chartinflatorplugin_test.go': 'exec plugin (ChartInflator)',
              'pluginenv_test.go': 'exec plugin environment'}


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
        git, tag_fmt, path_fmt = src
        tag = tag_fmt.format(name=name, version=version)
        root = path_fmt.format(name=name, version=version).rstrip('/')
        for f in git_out(git, 'ls-tree', '-r', '--name-only', f'{tag}:{root}').split():
            c.files[os.path.join(rel, f)] = git_out(git, 'show', f'{tag}:{root}/{f}')


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
            if n == 'fnplugin_test.go' and 'Container' in fn:
                listed.append((base, 'excluded', 'KRM container function (needs a container runtime; Conflux runs '
                               'exec functions only)'))
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
            if it.pending is not None:
                listed.append((base, 'unparsed', 'a build whose output is checked in Go code'))
                continue
            if not it.cases:
                listed.append((base, 'unparsed', 'no build found'))
                continue
            remote = [c for c in it.cases if any(
                os.path.basename(p) in ('kustomization.yaml', 'kustomization.yml', 'Kustomization')
                and REMOTE.search(content) for p, content in c.files.items())]
            above = [c for c in it.cases if any(
                os.path.basename(p) in ('kustomization.yaml', 'kustomization.yml', 'Kustomization')
                and any(os.path.normpath(os.path.join(os.path.dirname(p), m)).startswith('..')
                        for m in re.findall(r'^\s*-\s*((?:\.\./)+\S*)\s*$', content, re.M))
                for p, content in c.files.items())]
            if above:
                listed.append((base, 'unparsed', "a path above the root: kustomize's in-memory file system "
                               "reads '/..' as '/', a real one does not"))
                continue
            if remote:
                listed.append((base, 'excluded', 'network (a remote resource or schema in the kustomization)'))
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
            with open(fp, 'w') as fh:
                fh.write(content)
            if p in getattr(c, 'executables', ()):
                os.chmod(fp, 0o755)
        os.makedirs(os.path.join(d, 'input'), exist_ok=True)
        cmd = os.path.normpath(c.dir.lstrip('/')) if c.dir.strip('/') else '.'
        with open(os.path.join(d, 'cmd'), 'w') as fh:
            fh.write(cmd + '\n')
        if c.options:
            with open(os.path.join(d, 'options'), 'w') as fh:
                fh.write(''.join(f'{k}={v}\n' for k, v in sorted(c.options.items())))
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
        fh.write(f'test functions: {total_tests}; cases: {len(cases)} ({n_examples} from examples/); '
                 f'excluded: {sum(1 for x in listed if x[1] == "excluded")}; '
                 f'unparsed: {sum(1 for x in listed if x[1] == "unparsed")}\n')
    print(open(os.path.join(out, 'SOURCE')).read(), end='')


if __name__ == '__main__':
    main()
