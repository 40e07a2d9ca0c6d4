"""Build for the cjwt Python binding: one extension = the shared C core + the binding files.

The metadata is in pyproject.toml; this file only defines the extension. The core
(csrc/) never includes Python.h; the binding (python/src/*.c, one file per
concern, see python/src/binding.h) includes only cjwt.h and Python.h. The JSON reader
is the core's own (csrc/json_read.c); OpenSSL 3 libcrypto and jansson come from the system, and their
headers are checked before anything is compiled (see CheckedBuildExt).
"""
import os
import re
import subprocess
import tempfile
from glob import glob

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def core_version():
    """One version for the core, the package and the rock: CJWT_VERSION in cjwt.h."""
    with open("csrc/cjwt.h", encoding="utf-8") as f:
        return re.search(r'#define CJWT_VERSION "([^"]+)"', f.read()).group(1)


# Each system dependency, a program that compiles only with its real headers, and
# what to install. A missing header otherwise surfaces as a raw gcc error half-way
# through the build.
SYSTEM_DEPS = [
    ("OpenSSL 3 (libcrypto) headers",
     "#include <openssl/evp.h>\n#include <openssl/opensslv.h>\n"
     "#if !defined(OPENSSL_VERSION_MAJOR) || OPENSSL_VERSION_MAJOR < 3\n"
     "#error OpenSSL 3 or later is needed\n#endif\n"
     "int main(void) { return EVP_MAX_MD_SIZE > 0 ? 0 : 1; }\n",
     "libssl-dev", "openssl-devel"),
    ("jansson headers",
     "#include <jansson.h>\nint main(void) { return JANSSON_MAJOR_VERSION > 1 ? 0 : 1; }\n",
     "libjansson-dev", "jansson-devel"),
    ("zlib headers (JWE compression)",
     "#include <zlib.h>\nint main(void) { return ZLIB_VERNUM > 0 ? 0 : 1; }\n",
     "zlib1g-dev", "zlib-devel"),
]


class CheckedBuildExt(build_ext):
    """build_ext that first compiles one tiny program per system dependency and stops
    with a message naming the package to install when one fails."""

    def build_extensions(self):
        missing = []
        for what, program, debian, fedora in SYSTEM_DEPS:
            if not self._compiles(program):
                missing.append(f"  - {what}: Debian/Ubuntu `apt-get install {debian}`, "
                               f"Fedora `dnf install {fedora}`")
        if missing:
            raise SystemExit(
                "cjwt cannot be built: these system dependencies were not found by the C "
                "compiler:\n" + "\n".join(missing) +
                "\n(or install a prebuilt wheel, which needs none of them; see README.md)")
        super().build_extensions()

    def _compiles(self, program):
        ext = self.extensions[0]
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "check.c")
            with open(src, "w") as f:
                f.write(program)
            try:
                self.compiler.compile([src], output_dir=tmp, include_dirs=ext.include_dirs,
                                      extra_postargs=["-w"])
            except Exception:   # CompileError; also a compiler that cannot run at all
                return False
        return True



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
    version=core_version(),
    ext_modules=[
        Extension(
            "cjwt._cjwt",
            sources=sorted(glob("csrc/*.c")) + sorted(glob("python/src/*.c")),
            depends=sorted(glob("csrc/*.h")) + sorted(glob("python/src/*.h")),
            include_dirs=["csrc", "python/src"],
            # Same feature level as the Makefile's CORE_CFLAGS (clock_gettime under -std=c11).
            define_macros=[("_POSIX_C_SOURCE", "200809L")] + ([("CJWT_HAVE_SODIUM", "1")] if _SODIUM else []),
            libraries=["crypto", "jansson", "z"] + (["sodium"] if _SODIUM else []),   # z: JWE "zip": "DEF"
            extra_compile_args=["-std=c11", "-fvisibility=hidden"],
        )
    ],
    cmdclass={"build_ext": CheckedBuildExt},
)
