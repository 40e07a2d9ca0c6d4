"""Build for the cjwt Python binding: one extension = the shared C core + the binding files.

The core (csrc/) never includes Python.h; the binding (python/src/*.c, one file per concern,
see python/src/binding.h) includes only cjwt.h and Python.h.
"""
from glob import glob

from setuptools import Extension, setup

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
            sources=sorted(glob("csrc/*.c")) + sorted(glob("python/src/*.c")),
            depends=sorted(glob("csrc/*.h")) + ["python/src/binding.h"],
            include_dirs=["csrc", "python/src"],
            # Same feature level as the Makefile's CORE_CFLAGS (clock_gettime under -std=c11).
            define_macros=[("_POSIX_C_SOURCE", "200809L")],
            libraries=["crypto", "jansson"],
            extra_compile_args=["-std=c11", "-fvisibility=hidden"],
        )
    ],
    zip_safe=False,
)
