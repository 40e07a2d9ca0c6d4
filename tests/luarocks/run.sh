#!/usr/bin/env bash
# make test-luarocks: the rock installed as a user installs it, then tested.
#
# For each rockspec (cjwt-scm-1, cjwt-0.1.0-1) and each interpreter (Lua 5.4;
# LuaJIT on the Lua 5.1 ABI, with LuaJIT's headers), `luarocks make` from this
# tree into a fresh tree under build/luarocks-tree/, then checks that
#   - only .lua files are under share/lua, and they are exactly lua/cjwt/*.lua;
#   - lib/lua holds only cjwt/core.so, which exports only luaopen_cjwt_core;
# and runs the whole busted suite (tests/lua) against the installed copy:
# LUA_PATH / LUA_CPATH name the tree first, then only the system's absolute
# Lua directories (busted, lua-cjson and luasocket live there; cjwt does not),
# and busted runs in build/luarocks-run/, where `tests` is a link to this
# tree's tests/ and there is no lua/ or build/: every cjwt module the suite
# loads is the installed one (checked before busted runs).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
LUA54=${LUA54:-lua5.4}
LUAJIT=${LUAJIT:-luajit}
BUSTED=${BUSTED:-/usr/bin/busted}
LUAJIT_INCDIR=${LUAJIT_INCDIR:-$(pkg-config --variable=includedir luajit 2>/dev/null || echo /usr/include)/luajit-2.1}
[ -f "$LUAJIT_INCDIR/lua.h" ] || LUAJIT_INCDIR=/usr/include/luajit-2.1
TREES=$ROOT/build/luarocks-tree
RUN=$ROOT/build/luarocks-run

rm -rf "$TREES" "$RUN"
mkdir -p "$TREES" "$RUN"
ln -s "$ROOT/tests" "$RUN/tests"

fail() { echo "test-luarocks: $*" >&2; exit 1; }

# The interpreter's default search path without relative entries ("./?.lua").
system_path() {   # interp, path|cpath
  "$1" -e "for e in package.$2:gmatch('[^;]+') do if e:sub(1, 1) == '/' then io.write(e, ';') end end"
}

check_tree() {   # tree, lua version (5.4 / 5.1)
  local tree=$1 v=$2 files want
  files=$(cd "$tree/share/lua/$v" && find . -type f | sort)
  want=$(cd lua && find cjwt -type f -name '*.lua' | sed 's|^|./|' | sort)
  [ "$files" = "$want" ] || fail "$tree/share/lua/$v holds:"$'\n'"$files"$'\n'"expected:"$'\n'"$want"
  files=$(cd "$tree/lib/lua/$v" && find . -type f | sort)
  [ "$files" = "./cjwt/core.so" ] || fail "$tree/lib/lua/$v holds: $files"
  files=$(nm -D --defined-only "$tree/lib/lua/$v/cjwt/core.so" | awk '$2 ~ /^[A-Z]$/ && $2 != "A" {print $3}')
  [ "$files" = "luaopen_cjwt_core" ] || fail "cjwt/core.so exports more than luaopen_cjwt_core: $files"
  echo "test-luarocks: $tree: share/lua/$v: $(echo "$want" | wc -l) Lua files only; lib/lua/$v: cjwt/core.so exporting luaopen_cjwt_core only"
}

run_suite() {   # interp, tree, lua version
  local interp=$1 tree=$2 v=$3
  export LUA_PATH="$tree/share/lua/$v/?.lua;$tree/share/lua/$v/?/init.lua;$(system_path "$interp" path)"
  export LUA_CPATH="$tree/lib/lua/$v/?.so;$(system_path "$interp" cpath)"
  (cd "$RUN" && "$interp" -e "
    for _, m in ipairs({ 'cjwt', 'cjwt.safe', 'cjwt.gateway', 'cjwt.core' }) do
      local where = package.searchpath(m, m == 'cjwt.core' and package.cpath or package.path)
      assert(where and where:sub(1, #'$tree') == '$tree', m .. ' resolves to ' .. tostring(where))
    end
    local c = require 'cjwt'
    print('test-luarocks: ' .. (jit and jit.version or _VERSION) .. ' loads cjwt ' .. c._VERSION .. ' from $tree')")
  (cd "$RUN" && "$interp" "$BUSTED" -o utfTerminal tests/lua)
  unset LUA_PATH LUA_CPATH
}

for spec in cjwt-scm-1.rockspec cjwt-0.1.0-1.rockspec; do
  name=${spec%.rockspec}
  luarocks --lua-version 5.4 --tree "$TREES/$name-5.4" make "$spec"
  check_tree "$TREES/$name-5.4" 5.4
  luarocks --lua-version 5.1 --tree "$TREES/$name-luajit" make "$spec" LUA_INCDIR="$LUAJIT_INCDIR"
  check_tree "$TREES/$name-luajit" 5.1
done
# The suite against one installed copy per interpreter (both rockspecs build
# the same sources; the scm one is what `luarocks make` in a clone uses).
run_suite "$LUA54" "$TREES/cjwt-scm-1-5.4" 5.4
run_suite "$LUAJIT" "$TREES/cjwt-scm-1-luajit" 5.1
