"""crmlib stands alone: a wheel built from the repository works outside it, without Jupyter."""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Runs in a folder outside the repository with only the installed wheel on the path.
JUPYTER = ["IPython", "ipywidgets", "ipykernel", "jupyter_client", "nbformat", "nbclient",
           "papermill", "crm_workbook"]  # fmt: skip
# Runs in a folder outside the repository with only the installed wheel on the path, and with
# Jupyter and the course made unimportable, as in an analyst's environment without them.
PROBE = f"""
import json, sys
class NoJupyter:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {JUPYTER!r}:
            raise ModuleNotFoundError(f"no module named {{name!r}} (blocked by the test)")
sys.meta_path.insert(0, NoJupyter())
import crmlib, crmlib.btyd, crmlib.rfm, crmlib.value, crmlib.basket, crmlib.models
import crmlib.evaluate, crmlib.segment, crmlib.campaign, crmlib.warehouse, crmlib.plots
from crmlib import datasets
loaded = {{}}
for name in [n for n in datasets.__all__ if n.startswith("load_")]:
    data = getattr(datasets, name)()
    loaded[name] = [len(f) for f in (data.values() if isinstance(data, dict) else [data])]
# The compiled itemset kernels: compiled here, cached beside the installed module.
baskets = [["beer", "diapers"], ["beer", "diapers", "chips"], ["beer"]]
found = crmlib.basket.frequent_itemsets(baskets, 0.5)
itemsets = dict(zip(found["items"], found["count"].tolist()))
print(json.dumps({{"file": crmlib.__file__, "loaded": loaded, "itemsets": itemsets}}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Built from a copy: setuptools writes build/ beside the sources, and build/ is the site.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source)
    shutil.copytree(
        REPO / "crmlib", source / "crmlib", ignore=shutil.ignore_patterns("__pycache__")
    )
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    (path,) = out.glob("crmlib-*.whl")
    return path


def test_the_wheel_holds_the_library_and_its_data_only(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "crmlib/datasets/data/retail.csv" in names
    assert "crmlib/datasets/data/retail.md" in names
    assert not [n for n in names if n.startswith(("crm_workbook/", "solutions/", "tests/"))]


def test_every_loader_works_outside_the_repository_without_jupyter(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=elsewhere,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert Path(found["file"]).is_relative_to(target), "the repository's crmlib was imported"
    assert len(found["loaded"]) >= 9 and all(min(n) > 0 for n in found["loaded"].values())
    assert found["itemsets"] == {"beer": 3, "diapers": 2, "beer + diapers": 2}
    assert list((target / "crmlib" / "__pycache__").glob("_itemset_kernels.*.nbi"))
