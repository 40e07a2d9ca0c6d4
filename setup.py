"""Build for the cjwt Python binding: one extension = the shared C core + the binding file.

The core (csrc/) never includes Python.h; python/_cjwt.c includes only cjwt.h and Python.h.
"""
import os
import subprocess
from glob import glob

from setuptools import Extension, setup


def _have_sodium():
    """Ed25519 through libsodium when pkg-config finds it (CJWT_SODIUM=0/1 forces)."""
    forced = os.environ.get("CJWT_SODIUM")
    if forced in ("0", "1"):
        return forced == "1"
    try:
        return subprocess.run(["pkg-config", "--exists", "libsodium"]).returncode == 0
    except OSError:
        return False


_SODIUM = _have_sodium()

setup(
    name="cjwt",
    version="0.1.0",
    description="JSON Web Tokens backed by one C core (OpenSSL libcrypto + jansson)",
    python_requires=">=3.9",
    package_dir={"": "python"},
    packages=["cjwt"],
    package_data={"cjwt": ["py.typed", "*.pyi"]},
    ext_modules=[
        Extension(
            "cjwt._cjwt",
            sources=sorted(glob("csrc/*.c")) + ["python/_cjwt.c"],
            depends=sorted(glob("csrc/*.h")),
            include_dirs=["csrc"],
            # Same feature level as the Makefile's CORE_CFLAGS (clock_gettime under -std=c11).
            define_macros=[("_POSIX_C_SOURCE", "200809L")] + ([("CJWT_HAVE_SODIUM", "1")] if _SODIUM else []),
            libraries=["crypto", "jansson"] + (["sodium"] if _SODIUM else []),
            extra_compile_args=["-std=c11", "-fvisibility=hidden"],
        )
    ],
    zip_safe=False,
)
