"""The wheel of bindings/python: its tag, the library inside it, and what an installed copy loads.

Needs pytest and auditwheel (which brings pyelftools) in the running Python, and cargo to build
the wheel; no broker. The wheel is built once per run (a release cargo build, several minutes
the first time); ROCKETMQ_TEST_WHEEL=<path to a .whl> tests that wheel instead.

    python -m pytest bindings/python/tests/test_wheel.py
"""

import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux wheels only")

PROJECT = Path(__file__).resolve().parent.parent
LIBRARY = "rocketmq/librocketmq.so"


@pytest.fixture(scope="module")
def built_wheels(tmp_path_factory):
    prebuilt = os.environ.get("ROCKETMQ_TEST_WHEEL")
    if prebuilt:
        assert Path(prebuilt).is_file(), f"ROCKETMQ_TEST_WHEEL={prebuilt} is not a file"
        return [Path(prebuilt).resolve()]
    out = tmp_path_factory.mktemp("wheels")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
                    "-w", str(out), str(PROJECT)], check=True)
    return sorted(out.glob("*.whl"))


@pytest.fixture(scope="module")
def wheel(built_wheels):
    assert len(built_wheels) == 1, built_wheels
    return built_wheels[0]


@pytest.fixture(scope="module")
def library(wheel, tmp_path_factory):
    """The wheel's librocketmq.so, extracted."""
    with zipfile.ZipFile(wheel) as archive:
        assert LIBRARY in archive.namelist()
        return Path(archive.extract(LIBRARY, tmp_path_factory.mktemp("unzipped")))


def test_exactly_one_wheel(built_wheels):
    assert len(built_wheels) == 1, built_wheels
    assert built_wheels[0].name.startswith("rocketmq_client_rs-2.1.0-py3-none-")


def test_platform_tag_is_the_one_auditwheel_reports(wheel):
    shown = subprocess.run([sys.executable, "-m", "auditwheel", "show", str(wheel)],
                           check=True, capture_output=True, text=True).stdout
    # auditwheel wraps its lines: the tag may come after a line break.
    found = re.search(r'consistent\s+with\s+the\s+following\s+platform\s+tag:\s*"([^"]+)"', shown)
    assert found, shown
    platform = wheel.name[:-len(".whl")].split("-")[-1]
    assert platform == found.group(1), shown


def test_library_is_stripped_and_small(library):
    from elftools.elf.elffile import ELFFile

    with open(library, "rb") as f:
        sections = [s.name for s in ELFFile(f).iter_sections()]
    assert ".symtab" not in sections
    assert not [s for s in sections if s.startswith(".debug")], sections
    assert library.stat().st_size < 6 * 1024 * 1024


def test_library_exports_the_c_api(library):
    from elftools.elf.elffile import ELFFile

    with open(library, "rb") as f:
        dynsym = ELFFile(f).get_section_by_name(".dynsym")
        defined = {s.name for s in dynsym.iter_symbols() if s["st_shndx"] != "SHN_UNDEF"}
    assert {"CreateProducer", "SetPushConsumerMaxConsumeTps"} <= defined


def test_installed_package_loads_its_own_library(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check",
                    str(wheel)], check=True)

    # A librocketmq.so first on the search path that is not a library at all: loading it by
    # name would fail the import.
    decoy = tmp_path / "decoy"
    decoy.mkdir()
    shutil.copy("/bin/true", decoy / "librocketmq.so")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["LD_LIBRARY_PATH"] = str(decoy)

    def run(code):
        return subprocess.run([python, "-c", code], cwd=cwd, env=env, check=True,
                              capture_output=True, text=True).stdout.splitlines()

    platlib = run("import sysconfig; print(sysconfig.get_path('platlib'))")[0]
    expected = Path(platlib) / LIBRARY
    assert expected.is_file()
    assert env_dir.resolve() in expected.resolve().parents

    printed = run("import rocketmq, rocketmq.client; print(rocketmq.library_path())")
    assert os.path.isabs(printed[0]) and Path(printed[0]).resolve() == expected.resolve()
    # And the process has that file mapped, not another librocketmq.so.
    mapped = run("import rocketmq.client\n"
                 "print(*sorted({l.split()[-1] for l in open('/proc/self/maps') if 'librocketmq' in l}), sep='\\n')")
    assert [Path(m) for m in mapped] == [expected.resolve()]
