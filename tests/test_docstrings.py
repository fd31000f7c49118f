"""Every public function and class of jaxthermo documents itself in the diffrax/lineax form:
functions with `**Arguments:**` (when they take any) and `**Returns:**`, classes with
`**Arguments:**` or `**Attributes:**`; and no docstring points to a file the package does not
ship (the papers' misprints are on the docs' conventions page)."""

import inspect

import pytest

import jaxthermo as jt


NAMESPACES = {
    "jaxthermo": jt,
    "jaxthermo.fewlevel": jt.fewlevel,
    "jaxthermo.junction": jt.junction,
    "jaxthermo.closed": jt.closed,
    "jaxthermo.lyapunov": jt.lyapunov,
    "jaxthermo.models": jt.models,
}


def _public():
    seen = {}
    for prefix, module in NAMESPACES.items():
        names = getattr(module, "__all__", None) or [
            n for n in dir(module) if not n.startswith("_")
        ]
        for name in names:
            obj = getattr(module, name)
            if inspect.ismodule(obj) or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if not getattr(obj, "__module__", "").startswith("jaxthermo"):
                continue
            seen.setdefault(f"{prefix}.{name}", obj)
    return sorted(seen.items())


PUBLIC = _public()


def _takes_arguments(fn) -> bool:
    try:
        return bool(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return True


@pytest.mark.parametrize("name, obj", PUBLIC, ids=[n for n, _ in PUBLIC])
def test_docstring_form(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    assert "ERRATA" not in doc, f"{name} points to ERRATA.md, which the package does not ship"
    if inspect.isclass(obj):
        if obj is jt.RESULTS or issubclass(obj, BaseException):
            return
        fields = getattr(obj, "__dataclass_fields__", {})
        if fields:
            assert "**Arguments:**" in doc or "**Attributes:**" in doc, name
        return
    if _takes_arguments(obj):
        assert "**Arguments:**" in doc, name
    assert "**Returns:**" in doc, name
