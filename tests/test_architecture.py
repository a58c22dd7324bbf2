"""The house rules of DESIGN.md, checked: imports point down, stages never import each
other, each third-party library has one owner module, `parse` and `route` do no IO."""

from __future__ import annotations

import ast
import importlib
import inspect
import shutil
import subprocess
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "hub"


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def imported(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_layers_and_independent_stages() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is a dev dependency"
    # no cache: CI runs the suite twice at once in this folder
    result = subprocess.run(
        [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Packages that own their libraries together: the command line is click in each of its
# command modules; the store's modules share SQLAlchemy, the search engine's whoosh.
OWNER_PACKAGES = {"hub.cli": {"click"}, "hub.store": {"sqlalchemy", "sqlmodel"}}
# the portal and the editors' desk are the two web apps of hub.serve
OWNER_PACKAGES["hub.serve"] = {"starlette", "uvicorn"}
OWNER_PACKAGES["hub.search.engine"] = {"whoosh"}
OWNER_PACKAGES["hub.search.tantivy"] = {"tantivy"}  # the second engine, beside whoosh's
OWNER_PACKAGES["hub.config"] = {"pydantic"}  # the schema, one module per large section
# list and article pages, and finding a column's list and body without selectors
OWNER_PACKAGES["hub.parse.page"] = {"bs4"}
# attachments' readers, one module per format
OWNER_PACKAGES["hub.extract"] = {"pypdfium2", "olefile", "xlrd"}


def test_each_third_party_library_has_one_owner_module() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for name, tree in modules().items():
        for module in imported(tree):
            top = module.split(".")[0]
            if top != "hub" and top not in sys.stdlib_module_names and top != "__future__":
                package = next(
                    (
                        p
                        for p, libs in OWNER_PACKAGES.items()
                        if name.startswith(p + ".") and top in libs
                    ),
                    name,
                )
                owners[top].add(package)
    shared = {lib: sorted(mods) for lib, mods in owners.items() if len(mods) > 1}
    assert shared == {}
    # the stack of DESIGN.md, each where it belongs
    expected = {
        "feedparser": "hub.parse.feed",
        "bs4": "hub.parse.page",
        "nh3": "hub.parse.html",
        "httpx": "hub.fetch",
        "sqlmodel": "hub.store",
        "jinja2": "hub.site.render",
        "whoosh": "hub.search.engine",
        "tantivy": "hub.search.tantivy",
        "rjieba": "hub.text.words",
        "pypinyin": "hub.text.sounds",
        "apscheduler": "hub.schedule",
        "click": "hub.cli",
        "uvicorn": "hub.serve",
        "argon2": "hub.serve.desk.auth",
        "itsdangerous": "hub.serve.desk.auth",
        "pydantic": "hub.config",
        "rich": "hub.cli.common",
        "ahocorasick_rs": "hub.text.keywords",
        "re2": "hub.route.patterns",
        "soupsieve": "hub.parse.selectors",
        "zhconv": "hub.text",
        "openpyxl": "hub.workbook",
        "pypdfium2": "hub.extract",
        "olefile": "hub.extract",
        "xlrd": "hub.extract",
    }
    assert {lib: owners[lib] for lib in expected} == {k: {v} for k, v in expected.items()}


IO_MODULES = {
    "os",
    "socket",
    "pathlib",
    "shutil",
    "subprocess",
    "sqlite3",
    "urllib.request",
    "http",
    "asyncio",
    "threading",
    "time",
}


@pytest.mark.parametrize(
    "stage", ["hub.parse", "hub.route", "hub.reprints", "hub.audit", "hub.alerts", "hub.extract"]
)
def test_pure_stages_do_no_io_and_read_no_clock(stage: str) -> None:
    for name, tree in modules().items():
        if name != stage and not name.startswith(stage + "."):
            continue
        assert not imported(tree) & IO_MODULES, name
        source = ast.unparse(tree)
        for clock in ("datetime.now(", "date.today(", "time.time(", "open("):
            assert clock not in source, f"{name} calls {clock}"


def test_modules_stay_short() -> None:
    long = {
        p.name: n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420
    }
    assert long == {}, "split these into packages (DESIGN.md: ~400 lines)"


FACES = ("hub.pipeline", "hub.parse", "hub.demo")


@pytest.mark.parametrize("package", FACES)
def test_a_face_names_no_function_after_one_of_its_modules(package: str) -> None:
    # Importing a submodule sets the package's attribute of that name to the module: a
    # function exported under a submodule's name would turn into the module.
    face = importlib.import_module(package)
    folder = PACKAGE.joinpath(*package.split(".")[1:])
    submodules = {p.stem for p in folder.glob("*.py")} | {
        p.name for p in folder.iterdir() if p.is_dir()
    }
    for name in face.__all__:
        if name in submodules:
            assert inspect.ismodule(getattr(face, name)), f"{package}.{name}"


def test_every_package_is_installed() -> None:
    """pyproject lists hub's packages one by one: a package missing there is missing from
    a wheel, though an editable install (and so this suite) would never notice."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in PACKAGE.rglob("__init__.py")}
    assert found - listed == set()
