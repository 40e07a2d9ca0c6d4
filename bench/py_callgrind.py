"""Instructions per HS256 decode from Python, counted by callgrind.

    PYTHONPATH=python python3 bench/py_callgrind.py            # both key kinds
    PYTHONPATH=python python3 bench/py_callgrind.py key 2000   # one kind, N

Runs this file under `valgrind --tool=callgrind` twice, decoding N and 2N
times, and prints (total(2N) - total(N)) / N: the interpreter's start-up,
imports and the token's creation cancel out; PYTHONHASHSEED=0 fixes the str
hashes (otherwise the dict work varies by a few hundred instructions a run). Instruction counts do not depend
on the machine's load, unlike timings (docs/performance.md). Key kinds: `key`
(a cjwt.Key) and `str` (the secret as str, through the key cache).
"""
import os
import re
import subprocess
import sys
import tempfile

SECRET = "0123456789abcdef0123456789abcdef"
PAYLOAD = {"sub": "1234567890", "name": "John Doe", "iat": 1700000000, "exp": 1700003600,
           "iss": "https://issuer.example", "aud": "api", "scope": ["read", "write"]}


def loop(kind, n):
    import cjwt

    key_obj = cjwt.Key.from_secret(SECRET)
    token = cjwt.encode(PAYLOAD, key_obj, algorithm="HS256")
    key = SECRET if kind == "str" else key_obj
    decode = cjwt.decode
    for _ in range(n):
        decode(token, key, algorithms=["HS256"], audience="api", now=1700000100)


def instructions(kind, n):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, sys.executable,
             __file__, "--loop", kind, str(n)],
            capture_output=True, text=True, check=True,
            env=dict(os.environ, PYTHONHASHSEED="0"))   # str hashes, so dict work, fixed
    m = re.search(r"Collected : (\d+)", run.stderr)
    if not m:
        raise SystemExit("no callgrind total in:\n" + run.stderr)
    return int(m.group(1))


def main(argv):
    if argv[:1] == ["--loop"]:
        loop(argv[1], int(argv[2]))
        return
    kinds = [argv[0]] if argv else ["key", "str"]
    n = int(argv[1]) if len(argv) > 1 else 2000
    for kind in kinds:
        a, b = instructions(kind, n), instructions(kind, 2 * n)
        print(f"HS256 decode, {kind} key: {(b - a) / n:,.0f} instructions per decode")


if __name__ == "__main__":
    main(sys.argv[1:])
