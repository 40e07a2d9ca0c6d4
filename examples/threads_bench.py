"""RS256 verification throughput with 1 and 2 threads sharing one cjwt.Key.

The core releases the GIL while it verifies, so on 2 cores two threads should
verify close to twice as many tokens per second. Prints numbers; asserts nothing.

    PYTHONPATH=python python3 examples/threads_bench.py [seconds_per_run]
"""
import os
import sys
import threading
import time

import cjwt


def run(n_threads, token, key, seconds):
    counts = [0] * n_threads
    stop = time.monotonic() + seconds

    def work(i):
        n = 0
        while time.monotonic() < stop:
            for _ in range(50):
                cjwt.decode(token, key, algorithms=["RS256"])
            n += 50
        counts[i] = n

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - start)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    private = cjwt.Key.generate("RS256", kid="bench")
    public = cjwt.Key.from_pem(private.to_pem()).with_alg("RS256")
    token = cjwt.encode({"sub": "bench", "scope": "read write"}, private, expires_in="1h")
    print(f"cjwt {cjwt.__version__}, {os.cpu_count()} CPUs, RS256 verify, {seconds:.1f} s per run")
    one = run(1, token, public, seconds)
    two = run(2, token, public, seconds)
    print(f"1 thread : {one:10.0f} verifies/s")
    print(f"2 threads: {two:10.0f} verifies/s  (x{two / one:.2f})")


if __name__ == "__main__":
    main()
