#!/usr/bin/env bash
# One idempotent set-up for a fresh Debian 12 machine with Node 20: the real peers the
# demo and the tests use (Debian packages), npm ci, and a build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Peers: Orthanc + DICOMweb (demo/test PACS), dcmtk (DIMSE clients), Chromium (browser
# tests, never a downloaded browser), nginx/haproxy (benchmark baselines), OpenSSH
# (vendor tunnel tests), rsyslog with TLS (ATNA collector), xmllint, openssl, curl.
APT_PACKAGES=(
  openssl curl ca-certificates
  orthanc orthanc-dicomweb dcmtk
  chromium
  nginx-light haproxy
  openssh-server openssh-client
  rsyslog rsyslog-gnutls
  libxml2-utils
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ "${RADGATE_SKIP_APT:-}" != "1" ] && command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: Debian packages present"
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-fund --no-audit
else
  echo "setup: node_modules up to date"
fi

echo "setup: building"
npm run -s build
echo "setup: done"
