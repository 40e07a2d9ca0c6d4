#!/usr/bin/env bash
# Installs the interop tools into build/interop (idempotent): jose from the
# npm registry (pinned by tests/interop/node/package-lock.json), the
# golang-jwt tool (pinned by tests/interop/go/go.sum) and the go-jose JWE tool
# (tests/interop/gojose/go.sum). A missing toolchain is
# reported, not fatal: matrix.py then skips that column with a message.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=build/interop
mkdir -p $B/node $B/go

if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
  if ! cmp -s tests/interop/node/package-lock.json $B/node/package-lock.json ||
     [ ! -d $B/node/node_modules/jose ]; then
    cp tests/interop/node/package.json tests/interop/node/package-lock.json $B/node/
    (cd $B/node && npm ci --no-audit --no-fund --loglevel=error) || echo "interop setup: npm ci failed"
  fi
else
  echo "interop setup: node/npm not found; the jose column will be skipped"
fi

GO=$(command -v go || true)
[ -z "$GO" ] && [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go
if [ -n "$GO" ]; then
  if [ ! -x $B/go/interop ] || [ tests/interop/go/main.go -nt $B/go/interop ] ||
     [ tests/interop/go/go.sum -nt $B/go/interop ]; then
    (cd tests/interop/go && GOFLAGS=-mod=readonly "$GO" build -o ../../../$B/go/interop .) ||
      echo "interop setup: go build failed"
  fi
  # go-jose for the JWE matrix (tests/interop/gojose, pinned by its go.sum)
  mkdir -p $B/gojose
  if [ ! -x $B/gojose/jwe-interop ] || [ tests/interop/gojose/main.go -nt $B/gojose/jwe-interop ] ||
     [ tests/interop/gojose/go.sum -nt $B/gojose/jwe-interop ]; then
    (cd tests/interop/gojose && GOFLAGS=-mod=readonly "$GO" build -o ../../../$B/gojose/jwe-interop .) ||
      echo "interop setup: go build of the go-jose tool failed"
  fi
else
  echo "interop setup: Go toolchain not found; the golang-jwt and go-jose columns will be skipped"
fi
exit 0
