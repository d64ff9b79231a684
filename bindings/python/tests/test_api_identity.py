# -*- coding: utf-8 -*-
"""The public API of rocketmq-client-python 2.0.0 is all here, with the same shapes.

The upstream sdist is downloaded from PyPI (cached in <repo>/.build/upstream-2.0.0) and read as
source with ``ast``: never imported, so its ctypes loader never runs. This package is imported
and inspected. For every public class, function and enum of upstream's ``rocketmq.client``,
``rocketmq.exceptions``, ``rocketmq.consts`` and ``rocketmq.ffi``, ours must have the same name,
base classes, methods (parameter names, order, kinds and defaults; extra parameters only at the
end and with defaults), properties and enum members (same values; ours may add members).
"""
import ast
import glob
import inspect
import os
import subprocess
import sys
import tarfile
from enum import Enum

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
CACHE = os.path.join(REPO, '.build', 'upstream-2.0.0')
MODULES = ('client', 'exceptions', 'consts', 'ffi')


def _upstream_sources():
    """{module: source text} of the upstream 2.0.0 package."""
    sdists = glob.glob(os.path.join(CACHE, 'rocketmq-client-python-2.0.0.tar.gz'))
    if not sdists:
        os.makedirs(CACHE, exist_ok=True)
        subprocess.check_call([sys.executable, '-m', 'pip', 'download', '--quiet', '--no-deps', '--no-binary',
                               ':all:', '--disable-pip-version-check', '-d', CACHE,
                               'rocketmq-client-python==2.0.0'])
        sdists = glob.glob(os.path.join(CACHE, 'rocketmq-client-python-2.0.0.tar.gz'))
    assert sdists, 'pip download of rocketmq-client-python==2.0.0 left no sdist in %s' % CACHE
    out = {}
    with tarfile.open(sdists[0]) as tar:
        for name in MODULES:
            member = tar.getmember('rocketmq-client-python-2.0.0/rocketmq/%s.py' % name)
            out[name] = tar.extractfile(member).read().decode('utf-8')
    return out


UPSTREAM = _upstream_sources()


def _ours(module):
    import importlib
    return importlib.import_module('rocketmq.' + module)


def _public_classes(tree):
    return [node for node in tree.body if isinstance(node, ast.ClassDef)]


def _default_text(node):
    """A default value as text that ours can be compared with: constants by repr, names and
    attributes (MessageModel.CLUSTERING) dotted."""
    if isinstance(node, ast.Constant):
        return repr(node.value)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return '%s.%s' % (_default_text(node.value), node.attr)
    raise AssertionError('unexpected default in upstream: %s' % ast.dump(node))


def _our_default_text(value):
    if isinstance(value, Enum):
        return '%s.%s' % (type(value).__name__, value.name)
    return repr(value)


def _upstream_params(function):
    args = function.args
    positional = args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    params = [(a.arg, None if d is None else _default_text(d)) for a, d in zip(positional, defaults)]
    return params, args.vararg is not None, args.kwarg is not None


def _our_params(function):
    signature = inspect.signature(function)
    params = []
    for p in signature.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY):
            continue
        params.append((p.name, None if p.default is p.empty else _our_default_text(p.default)))
    kinds = {p.kind for p in signature.parameters.values()}
    return params, inspect.Parameter.VAR_POSITIONAL in kinds, inspect.Parameter.VAR_KEYWORD in kinds


def _check_function(where, upstream_fn, ours_fn):
    up, up_varargs, up_kwargs = _upstream_params(upstream_fn)
    mine, my_varargs, my_kwargs = _our_params(ours_fn)
    assert len(mine) >= len(up), '%s: parameters %s, upstream %s' % (where, mine, up)
    for (name, default), (up_name, up_default) in zip(mine, up):
        assert name == up_name, '%s: parameters %s, upstream %s' % (where, mine, up)
        # a parameter upstream requires may have a default here; upstream's defaults must stay
        assert up_default is None or default == up_default, \
            '%s: %s defaults to %s, upstream %s' % (where, name, default, up_default)
    extra = mine[len(up):]
    assert all(default is not None for _, default in extra), \
        '%s: added parameters %s need defaults' % (where, extra)
    assert my_varargs or not up_varargs, '%s: upstream takes *args' % where
    assert my_kwargs or not up_kwargs, '%s: upstream takes **kwargs' % where


def _is_property(node):
    return any(isinstance(d, ast.Name) and d.id == 'property' for d in node.decorator_list)


def _enum_members(class_node):
    members = {}
    for stmt in class_node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            members[stmt.targets[0].id] = ast.literal_eval(stmt.value)
    return members


CASES = []
for _module in MODULES:
    _tree = ast.parse(UPSTREAM[_module])
    for _cls in _public_classes(_tree):
        CASES.append((_module, _cls.name))


@pytest.mark.parametrize('module,name', CASES, ids=['%s.%s' % c for c in CASES])
def test_class_has_upstream_shape(module, name):
    tree = ast.parse(UPSTREAM[module])
    node = next(c for c in _public_classes(tree) if c.name == name)
    ours = getattr(_ours(module), name, None)
    assert ours is not None, 'rocketmq.%s has no %s' % (module, name)
    assert inspect.isclass(ours)
    upstream_bases = [_default_text(b) for b in node.bases]
    our_bases = {c.__name__ for c in ours.__mro__}
    for base in upstream_bases:
        if base == 'object':
            continue
        assert base.split('.')[-1] in our_bases, '%s: upstream base %s missing in %s' % (name, base, our_bases)
    if issubclass(ours, Enum) or any(b in ('IntEnum', 'Enum', 'CtypesEnum') for b in upstream_bases):
        upstream_members = _enum_members(node)
        our_members = {m.name: m.value for m in ours}
        for member, value in upstream_members.items():
            assert our_members.get(member) == value, '%s.%s: ours %r, upstream %r' % (
                name, member, our_members.get(member), value)
        return
    for stmt in node.body:
        if not isinstance(stmt, ast.FunctionDef):
            continue
        where = 'rocketmq.%s.%s.%s' % (module, name, stmt.name)
        attr = inspect.getattr_static(ours, stmt.name, None)
        assert attr is not None or hasattr(ours, stmt.name), '%s is missing' % where
        if _is_property(stmt):
            assert isinstance(inspect.getattr_static(ours, stmt.name), property), '%s must be a property' % where
            continue
        _check_function(where, stmt, getattr(ours, stmt.name))


def test_module_level_names():
    """Functions, namedtuples and other top-level names upstream's modules define."""
    for module in MODULES:
        tree = ast.parse(UPSTREAM[module])
        ours = _ours(module)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith('_'):
                assert hasattr(ours, node.name), 'rocketmq.%s.%s is missing' % (module, node.name)
                _check_function('rocketmq.%s.%s' % (module, node.name), node, getattr(ours, node.name))
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id.isupper() and not target.id.startswith('_'):
                        if target.id in ('PY2',):  # Python 2 switch, meaningless on 3.8+
                            continue
                        assert hasattr(ours, target.id), 'rocketmq.%s.%s is missing' % (module, target.id)


def test_client_all_and_send_result():
    tree = ast.parse(UPSTREAM['client'])
    upstream_all = next(ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign)
                        and any(isinstance(t, ast.Name) and t.id == '__all__' for t in n.targets))
    from rocketmq import client
    assert set(upstream_all) <= set(client.__all__)
    assert client.SendResult._fields == ('status', 'msg_id', 'offset')
    assert client.MessageModel.CLUSTERING == 1 and client.MessageModel.BROADCASTING == 0


def test_status_codes_raise_the_same_classes():
    """2.0.0 maps each status code to an exception class; ours raises that class or a subclass."""
    from rocketmq import exceptions
    tree = ast.parse(UPSTREAM['exceptions'])
    checked = 0
    for node in _public_classes(tree):
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and getattr(decorator.func, 'id', '') == '_register':
                status_name = decorator.args[0].attr  # _CStatus.X
                code = getattr(_ours('ffi')._CStatus, status_name)
                with pytest.raises(getattr(exceptions, node.name)):
                    exceptions.ffi_check(int(code))
                checked += 1
    assert checked == 7
    for unmapped in (14, -1):  # 2.0.0: the base class
        with pytest.raises(exceptions.RocketMQException):
            exceptions.ffi_check(unmapped)
