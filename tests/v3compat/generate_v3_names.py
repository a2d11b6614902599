"""Write ``v3_names.json``: the public names of weaviate-client 3.26.7's modules.

Not run by the suite (v3 is not installed there); run it by hand in a virtualenv that
has v3, from the project root, and commit the result::

    python -m venv /tmp/v3venv && /tmp/v3venv/bin/pip install weaviate-client==3.26.7
    /tmp/v3venv/bin/python -m tests.v3compat.generate_v3_names

A module's public names are those it defines or imports from weaviate itself (a v3
user may import either from there), without a leading underscore.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
from pathlib import Path

MODULES = ["weaviate", "weaviate.util", "weaviate.auth", "weaviate.exceptions"]
MODULES += ["weaviate.embedded", "weaviate.config"]
PACKAGES = ["weaviate.gql", "weaviate.batch", "weaviate.data", "weaviate.schema"]


def public_names(module_name: str) -> list[str]:
    """What ``module_name`` defines or imports from weaviate, at its top level."""
    tree = ast.parse(inspect.getsource(importlib.import_module(module_name)))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom) and (
            node.level > 0 or (node.module or "").startswith("weaviate")
        ):
            names.update(alias.asname or alias.name for alias in node.names)
    return sorted(name for name in names if not name.startswith("_"))


def main() -> None:
    import weaviate  # type: ignore[import-not-found]  # (v3, in its own virtualenv)

    modules = list(MODULES)
    for package in PACKAGES:
        modules.append(package)
        path = importlib.import_module(package).__path__
        modules.extend(info.name for info in pkgutil.walk_packages(path, package + "."))
    names = {name: public_names(name) for name in modules}
    target = Path(__file__).with_name("v3_names.json")
    payload = {"weaviate-client": weaviate.__version__, "modules": names}
    target.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"wrote {sum(map(len, names.values()))} names of {len(names)} modules to {target}")


if __name__ == "__main__":
    main()
