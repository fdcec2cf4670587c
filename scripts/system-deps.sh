#!/usr/bin/env bash
# Debian packages dealwatch uses: Chromium for the browser tier (Playwright drives it; no browser
# is ever downloaded) and Tesseract for reading listing photos (OCR). Installs only what is missing;
# without root it says what to install and goes on.
set -euo pipefail

PACKAGES=(chromium tesseract-ocr)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "note: install ${missing[*]} (apt-get install ${missing[*]}) for the browser and OCR tiers; they are skipped until then" >&2
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
