#!/usr/bin/env bash
# Installs the servers some tests need (redis-server), when it can. Tests that need one are
# skipped with a clear reason where it cannot be installed (no root, no apt).
set -u
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing redis-server for the Redis tests …"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) \
      >/dev/null 2>&1 || echo "Could not install redis-server; Redis tests will be skipped."
  else
    echo "redis-server not found; Redis tests will be skipped (install it to run them)."
  fi
fi
exit 0
