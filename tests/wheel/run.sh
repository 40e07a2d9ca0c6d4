#!/usr/bin/env bash
# make test-wheel: the wheel from `make wheel` installs and passes the Python suite on a
# system without the libraries it bundles.
#
# In a private mount namespace (unshare --mount; as root, as CI runs, or with --map-root-user), an empty file is
# bind-mounted over the real libjansson.so.4 and libcrypto.so.3, so the dynamic loader can
# load neither from the system: the wheel must bring its own (pycjwt.libs/, under names
# auditwheel made unique, found through the extension's RPATH). No compiler, no headers,
# no index: pip installs the one wheel file with --no-index --only-binary=:all:.
#
# Hiding libcrypto also takes it from the interpreter, whose _ssl and _hashlib link it:
# `import ssl` fails, and hashlib/hmac fall back to CPython's built-in hashes (all the
# tests need). PyJWT imports ssl unconditionally, and the lifecycle tests start a
# redis-server (linked to libcrypto) and use redis-py's ssl names, so those files
# (test_pyjwt_*.py, test_lifecycle*.py, test_replica.py, test_redis_cluster.py, test_sort_headers.py) run in a second pass in which only libjansson is hidden:
# the interpreter then has its libcrypto.so.3, and the check below still proves that
# cjwt's extension maps the bundled copy, not the system one. (Preloading a private copy
# for the interpreter instead would put it in the global symbol scope, where it would
# also satisfy the extension's symbols and prove nothing.)
#
# The venv uses --system-site-packages only for the test tools (pytest, PyJWT,
# cryptography, which carries its own OpenSSL, redis); cjwt must come from the venv.
# Not run against the wheel, and why: test_cross_language.py (runs the in-tree Lua
# module, which links the system libcrypto), test_install.py (builds from source: needs a
# compiler and the -dev packages), test_packaging.py (checks the source tree's build files).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
OUT=build/wheel-test

wheels=(build/wheel/dist/pycjwt-*-manylinux_*.whl)
[ ${#wheels[@]} -eq 1 ] && [ -f "${wheels[0]}" ] || { echo "want exactly one wheel in build/wheel/dist (make wheel)"; exit 1; }
WHEEL=$(realpath "${wheels[0]}")

if [ "${1:-}" != "--inside" ]; then
  command -v unshare >/dev/null || { echo "test-wheel: unshare (util-linux) is needed"; exit 1; }
  unshare() { if [ "$(id -u)" -eq 0 ]; then command unshare "$@"; else command unshare --map-root-user "$@"; fi; }
  # Need the interpreter's ssl (PyJWT imports it) or a redis-server (linked to libcrypto).
  PASS2=(tests/python/test_pyjwt_*.py tests/python/test_lifecycle.py tests/python/test_lifecycle_threads.py
         tests/python/test_replica.py tests/python/test_redis_cluster.py tests/python/test_sort_headers.py)
  # and every other file that imports PyJWT (found, so a new one is not forgotten)
  for f in $(grep -lE '^[[:space:]]*(import jwt\b|from jwt\b)' tests/python/test_*.py); do
    case " ${PASS2[*]} " in *" $f "*) ;; *) PASS2+=("$f");; esac
  done
  rc=0
  echo "== pass 1: libjansson and libcrypto hidden"
  unshare --mount "$0" --inside "libjansson.so.4 libcrypto.so.3" tests/python \
    --ignore tests/python/test_cross_language.py --ignore tests/python/test_install.py \
    --ignore tests/python/test_packaging.py $(printf -- '--ignore %s ' "${PASS2[@]}") || rc=1
  echo "== pass 2: libjansson hidden: the PyJWT comparisons and the lifecycle tests"
  unshare --mount "$0" --inside "libjansson.so.4" "${PASS2[@]}" || rc=1
  exit $rc
fi
HIDE=$2
shift 2

# --- inside the private mount namespace --------------------------------------
rm -rf "$OUT" && mkdir -p "$OUT"
: > "$OUT/empty"
hidden=()
for real in $(ldconfig -p | awk -v want=" $HIDE " 'index(want, " " $1 " ") {print $NF}' |
              xargs -r realpath | sort -u); do
  mount --bind "$OUT/empty" "$real"
  hidden+=("$real")
done
[ ${#hidden[@]} -ge $(wc -w <<< "$HIDE") ] || { echo "test-wheel: did not find $HIDE to hide"; exit 1; }
echo "hidden (empty files bind-mounted over): ${hidden[*]}"

"$PYTHON" -m venv --system-site-packages --without-pip "$OUT/venv"
VPY=$OUT/venv/bin/python
"$VPY" -m pip install -q --no-index --no-deps --only-binary=:all: "$WHEEL"

"$VPY" - "$OUT/venv" $HIDE <<'PY'
import ctypes, importlib.metadata, os, sys
venv = os.path.realpath(sys.argv[1])
for lib in sys.argv[2:]:
    try:
        ctypes.CDLL(lib)
    except OSError:
        pass
    else:
        raise SystemExit(f"{lib} is still loadable from the system: nothing was hidden")
if "libcrypto.so.3" in sys.argv[2:]:
    try:
        import ssl  # noqa: F401  (the interpreter's _ssl links the hidden libcrypto)
    except ImportError:
        pass
    else:
        raise SystemExit("ssl imported: libcrypto is not hidden from the interpreter")
import cjwt
assert os.path.realpath(cjwt.__file__).startswith(venv), cjwt.__file__
assert importlib.metadata.version("pycjwt") == cjwt.__version__
maps = [l.split()[-1] for l in open("/proc/self/maps") if ".so" in l]
for lib in ("libcrypto", "libjansson"):
    paths = {p for p in maps if os.path.basename(p).startswith(lib)}
    assert any("/pycjwt.libs/" in p for p in paths), (lib, paths)   # the wheel's own copy
    if any(h.startswith(lib) for h in sys.argv[2:]):                 # and, hidden, only it
        assert all("/pycjwt.libs/" in p for p in paths), (lib, paths)
key = cjwt.Key.generate("ES256")
assert cjwt.decode(cjwt.encode({"a": 1}, key), key, algorithms=["ES256"]) == {"a": 1}
print(f"installed wheel: cjwt {cjwt.__version__} from {os.path.dirname(cjwt.__file__)}, "
      f"libcrypto and libjansson mapped from pycjwt.libs; not loadable: {sys.argv[2:]}")
PY

CJWT_TEST_INSTALLED=1 "$VPY" -m pytest -q -p no:cacheprovider "$@"
