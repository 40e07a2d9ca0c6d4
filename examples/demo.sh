#!/usr/bin/env bash
# `make demo`: the whole system on one machine (docs/demo.md): an auth service
# issues tokens, nginx with cjwt.gateway verifies them at the edge, two
# services trust the identity it forwards, Redis holds the denylist. The
# orchestration is demo/run.sh; this stays as the historical entry point.
exec "$(dirname "$0")/../demo/run.sh" "$@"
