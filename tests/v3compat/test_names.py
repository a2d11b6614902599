"""Every public name of weaviate-client 3.26.7's modules is at the same path in wvorm,
or is listed in ``LEFT_OUT`` with the reason, and the README says so too.

``v3_names.json`` holds v3's names (``generate_v3_names.py`` writes it).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
V3 = json.loads(Path(__file__).with_name("v3_names.json").read_text())

# name -> why wvorm does not provide it (at any of v3's paths that hold it)
LEFT_OUT = {
    "Connection": "v3's HTTP connection class, an internal that no v3 call takes",
    "BatchExecutor": "v3's thread pool; wvorm's batch runs its own workers",
    "BatchRequest": "v3's request-body builder; wvorm encodes each item once when added",
    "ObjectsBatchRequest": "v3's request-body builder; wvorm encodes each item once when added",
    "ReferenceBatchRequest": "v3's request-body builder; wvorm encodes each item once when added",
    "BatchRequestType": "a type variable of v3's request builders",
    "N": "a type variable of v3's argument checks",
    "BATCH_EXECUTOR_SHUTDOWN_W": "a warning text of v3's own",
    "BATCH_REF_DEPRECATION_NEW_V14_CLS_NS_W": "a warning about servers before 1.14",
    "BATCH_REF_DEPRECATION_OLD_V14_CLS_NS_W": "a warning about servers before 1.14",
    "DATA_DEPRECATION_NEW_V14_CLS_NS_W": "a warning about servers before 1.14",
    "DATA_DEPRECATION_OLD_V14_CLS_NS_W": "a warning about servers before 1.14",
    "REF_DEPRECATION_NEW_V14_CLS_NS_W": "a warning about servers before 1.14",
    "REF_DEPRECATION_OLD_V14_FROM_CLS_NS_W": "a warning about servers before 1.14",
    "REF_DEPRECATION_OLD_V14_TO_CLS_NS_W": "a warning about servers before 1.14",
    "FILTER_BEACON_V14_CLS_NS_W": "a warning about servers before 1.14",
    "EmbeddedDB": "v3's embedded-process class; wvorm's is EmbeddedServer, reached the v3 "
    "way through Client(embedded_options=EmbeddedOptions(...))",
    "DEFAULT_PORT": "wvorm's embedded server picks free ports unless EmbeddedOptions.port is set",
    "DEFAULT_GRPC_PORT": "wvorm's embedded server picks free ports unless grpc_port is set",
    "DEFAULT_PERSISTENCE_DATA_PATH": "wvorm's embedded server uses a temporary data directory "
    "unless persistence_data_path is set",
    "GITHUB_RELEASE_DOWNLOAD_URL": "wvorm installs the server from its Go module or a release "
    "URL of its own (wvorm.embedded.RELEASE_URL)",
    "NUMBERS": "a typing alias of v3's own argument checks",
    "PYPI_PACKAGE_URL": "v3's check for a newer v3 release on PyPI",
    "is_weaviate_client_too_old": "v3's check for a newer v3 release on PyPI",
    "MINIMUM_NO_WARNING_VERSION": "v3's warning about old servers; wvorm pins its server "
    "version and documents the versions it supports",
    "MAXIMUM_MINOR_VERSION_DELTA": "v3's warning about old servers (see above)",
    "is_weaviate_too_old": "v3's warning about old servers (see above)",
    "exceptions": "the module weaviate.exceptions, imported into weaviate.embedded",
    "util": "the module weaviate.util, imported into weaviate.gql.get",
}


def provided(module: str, name: str) -> bool:
    wvorm_module = "wvorm" + module[len("weaviate") :]
    try:
        loaded = importlib.import_module(wvorm_module)
    except ModuleNotFoundError:
        return False
    return hasattr(loaded, name)


ALL = [(module, name) for module, names in V3["modules"].items() for name in names]
CASES = [(module, name) for module, name in ALL if name not in LEFT_OUT]


def test_the_names_come_from_v3_3_26_and_left_out_ones_are_among_them() -> None:
    assert V3["weaviate-client"] == "3.26.7" and len(ALL) > 200
    assert set(LEFT_OUT) <= {name for _, name in ALL}


@pytest.mark.parametrize(("module", "name"), CASES, ids=[f"{m}.{n}" for m, n in CASES])
def test_each_v3_name_is_at_its_v3_path(module: str, name: str) -> None:
    assert provided(module, name), f"wvorm{module[len('weaviate') :]} has no {name}"


def test_v3_modules_are_attributes_after_a_plain_import() -> None:
    # (in a fresh interpreter: here, other tests have imported them already)
    script = "import wvorm as weaviate\n" + "\n".join(
        f"weaviate.{module.split('.')[1]}" for module in V3["modules"] if "." in module
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT)


def test_the_readme_lists_every_name_left_out() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Differences from weaviate-client 3.x", 1)[-1].split("\n## ")[0]
    missing = [name for name in LEFT_OUT if f"`{name}`" not in section]
    assert not missing, f"README's differences section does not name {missing}"
