"""One error path: outside the table (whose errors are botocore's ClientError), every exception
dynamolite raises on purpose derives from DynamoliteError, so `except DynamoliteError` catches them."""

import ast
import importlib
from pathlib import Path

import pytest

import dynamolite
from dynamolite.errors import DynamoliteError

PACKAGE = Path(dynamolite.__file__).parent

# raised where Python's own protocols require that exact class
PROTOCOL = {("dynamolite/__init__.py", "AttributeError"): "module __getattr__ must raise AttributeError"}


def raised_names():
    """(module file, module name, class name) of every ``raise Name(...)`` outside the table room."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).as_posix()
        if relative.startswith("dynamolite/table/"):
            continue
        module = relative[:-3].replace("/", ".").removesuffix(".__init__")
        tree = ast.parse(path.read_text())
        made = {node.targets[0].id: node.value.func.id for node in ast.walk(tree)   # failure = Cls(...)
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(target, ast.Name):
                    found.append((relative, module, made.get(target.id, target.id)))
    return found


def test_the_scan_sees_the_package():
    names = {name for _, _, name in raised_names()}
    assert {"ConfigError", "GradingFailure", "CourseError", "UnknownNodeError"} <= names


@pytest.mark.parametrize("relative, module, name", sorted(set(raised_names())))
def test_every_exception_raised_outside_the_table_is_a_dynamolite_error(relative, module, name):
    if (relative, name) in PROTOCOL:
        return
    cls = getattr(importlib.import_module(module), name, None)
    if cls is None:                       # raised by a name bound inside a function: must be local
        pytest.fail(f"{relative} raises {name}, which its module does not define or import")
    if name.startswith("_"):              # private control flow, caught inside the module itself
        source = (PACKAGE.parent / relative).read_text()
        assert f"except {name}" in source, f"{relative} raises {name} but never catches it"
        return
    assert issubclass(cls, DynamoliteError), f"{relative} raises {name}, not a DynamoliteError"
