#!/usr/bin/env bash
# Runs the NAT test (make nat-test): real skein processes in network
# namespaces behind iptables NAT routers, checking delivery through the
# relay, hole punching and catch-up (see cli/internal/nattest/doc.go).
# It needs root, iproute2, iptables and conntrack; it installs the last two
# with apt-get if they are missing, and without root or ip it prints a
# SKIP line and exits 0. GO may name the go command (default go).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: make nat-test needs root (network namespaces, iptables)"
  exit 0
fi
if ! command -v ip >/dev/null; then
  echo "SKIP: make nat-test needs ip (iproute2: apt-get install iproute2)"
  exit 0
fi
if ! command -v iptables >/dev/null || ! command -v conntrack >/dev/null; then
  if command -v apt-get >/dev/null; then
    echo "installing iptables, nftables and conntrack" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends iptables nftables conntrack >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends iptables nftables conntrack >/dev/null; }
  fi
fi
# Without them the test prints its own SKIP line.

SKEIN_NAT_TEST=1 ${GO:-go} test -count=1 -v -timeout 15m -run '^TestNAT$' ./cli/internal/nattest
