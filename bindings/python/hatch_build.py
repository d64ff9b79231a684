"""Hatchling build hook: builds librocketmq with cargo and puts it in the wheel as package data.

The package loads the library with ctypes from its own folder, so the wheel holds no Python
extension module: its tag is py3-none-<platform>, where on Linux <platform> is the manylinux
tag read from the library itself (its DT_NEEDED entries and the highest GLIBC_x.y it needs).
"""

import fnmatch
import os
import shutil
import subprocess
import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

# What a manylinux library may need at run time (PEP 600 leaves the list to the policies; this
# is the part of it the Rust standard library can use).
ALLOWED_NEEDED = (
    "libc.so.6",
    "ld-linux*.so.*",
    "libm.so.6",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "libgcc_s.so.1",
    "libstdc++.so.6",  # the C++ API's runtime (bindings/cpp), a manylinux library too
)
ELF_ARCH = {"EM_X86_64": "x86_64", "EM_AARCH64": "aarch64"}


def library_name():
    if sys.platform == "darwin":
        return "librocketmq.dylib"
    if sys.platform == "win32":
        return "rocketmq.dll"
    return "librocketmq.so"


class CargoBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        # An editable install keeps the package in the source folder, where a copied library
        # would be stale after the next cargo build: it stays pure Python.
        if self.target_name != "wheel" or version != "standard":
            return
        crate = self.find_crate()
        library = self.cargo_build(crate)
        # Included straight from cargo's output, never copied into the source folder.
        build_data["force_include"][str(library)] = "rocketmq/" + library.name
        build_data["pure_python"] = False
        if sys.platform.startswith("linux"):
            build_data["tag"] = "py3-none-" + manylinux_platform(library)
        else:
            build_data["infer_tag"] = True

    def find_crate(self):
        root = Path(self.root)
        # rust/ is where the sdist carries the crate; ../.. is the repository checkout.
        for crate in (root / "rust", root.parent.parent):
            if (crate / "Cargo.toml").is_file():
                return crate.resolve()
        raise RuntimeError(f"librocketmq crate not found: no {root / 'rust' / 'Cargo.toml'} "
                           f"nor {root.parent.parent / 'Cargo.toml'}")

    def cargo_build(self, crate):
        cargo = os.environ.get("CARGO", "cargo")
        if shutil.which(cargo) is None:
            raise RuntimeError(f"cargo ({cargo!r}) not found: building rocketmq-client-rs needs a Rust "
                               "toolchain (https://rustup.rs), or CARGO set to the cargo binary")
        env = dict(os.environ)
        # The release build (Cargo.toml: the artifact `make install` installs too); an inherited
        # CARGO_TARGET_DIR would move it where we do not look.
        env["CARGO_TARGET_DIR"] = str(crate / "target")
        command = [cargo, "build", "--release", "--locked", "--lib"]
        self.app.display_info(f"Building librocketmq in {crate}: {' '.join(command)}")
        # Not captured: cargo's progress goes straight to the terminal (pip shows it with -v).
        result = subprocess.run(command, cwd=crate, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"cargo build failed (exit status {result.returncode}) in {crate}")
        library = crate / "target" / "release" / library_name()
        if not library.is_file():
            raise RuntimeError(f"cargo build succeeded but {library} is missing")
        return self.stripped(library)

    def stripped(self, library):
        """A copy of library without its symbol table and debug info (the build keeps them for
        install.sh's separate debug file), next to it in target/release/wheel/."""
        strip = shutil.which(os.environ.get("STRIP", "strip"))
        if strip is None:
            self.app.display_warning("strip not found: the wheel carries the library unstripped")
            return library
        out = library.parent / "wheel" / library.name
        out.parent.mkdir(exist_ok=True)
        result = subprocess.run([strip, "--strip-all", "-o", str(out), str(library)])
        if result.returncode != 0:
            raise RuntimeError(f"{strip} --strip-all {library} failed (exit status {result.returncode})")
        return out


def manylinux_platform(path):
    """manylinux_2_<y>_<arch> for the library at path, or an error if it needs more than glibc."""
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerNeedSection

    needed, glibc = [], []
    with open(path, "rb") as f:
        elf = ELFFile(f)
        arch = ELF_ARCH.get(elf["e_machine"])
        if arch is None:
            raise RuntimeError(f"{path}: no manylinux tag for machine {elf['e_machine']}")
        for section in elf.iter_sections():
            if isinstance(section, DynamicSection):
                needed += [tag.needed for tag in section.iter_tags("DT_NEEDED")]
            elif isinstance(section, GNUVerNeedSection):  # .gnu.version_r
                for _, auxiliaries in section.iter_versions():
                    glibc += [aux.name for aux in auxiliaries if aux.name.startswith("GLIBC_")]

    foreign = [n for n in needed if not any(fnmatch.fnmatchcase(n, p) for p in ALLOWED_NEEDED)]
    if foreign:
        raise RuntimeError(f"{path} needs {', '.join(foreign)}: not allowed in a manylinux wheel")
    versions = []
    for name in glibc:  # GLIBC_2.2.5, GLIBC_2.35; GLIBC_PRIVATE is not allowed
        parts = name[len("GLIBC_"):].split(".")
        if len(parts) < 2 or not all(p.isdigit() for p in parts):
            raise RuntimeError(f"{path} needs {name}: not allowed in a manylinux wheel")
        versions.append((int(parts[0]), int(parts[1])))
    if not versions:
        raise RuntimeError(f"{path} needs no GLIBC_ symbol version: not a glibc library")
    major, minor = max(versions)
    return f"manylinux_{major}_{minor}_{arch}"
