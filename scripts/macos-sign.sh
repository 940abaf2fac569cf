#!/usr/bin/env bash
# Signs a kubectl-wasmpolicy binary for macOS after the SEA blob was injected (scripts/package.mjs calls it on
# macOS; it needs Apple's codesign, so it cannot run anywhere else).
#
#   scripts/macos-sign.sh BINARY
#
# Without $MACOS_SIGN_IDENTITY: an ad-hoc signature, which is what Apple Silicon needs to run the binary at all
# (krew and curl downloads carry no quarantine attribute, so Gatekeeper does not ask for more).
# With $MACOS_SIGN_IDENTITY (a "Developer ID Application: ..." identity in the keychain, which the release
# pipeline imports from secrets): a hardened-runtime signature with a timestamp and the entitlements V8 needs
# (JIT, unsigned executable memory), then, when $MACOS_NOTARY_PROFILE names a `notarytool store-credentials`
# profile, notarization by Apple. Notarization changes nothing in the file, so checksums stay valid.
set -euo pipefail

bin=${1:?usage: macos-sign.sh BINARY}
if [[ "$(uname -s)" != Darwin ]]; then
  echo "macos-sign.sh: codesign exists only on macOS; build darwin targets on a macOS machine" >&2
  exit 1
fi

if [[ -z "${MACOS_SIGN_IDENTITY:-}" ]]; then
  codesign --force --sign - "$bin"
else
  entitlements=$(mktemp)
  trap 'rm -f "$entitlements"' EXIT
  cat >"$entitlements" <<'PLIST'
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>com.apple.security.cs.allow-jit</key><true/>
  <key>com.apple.security.cs.allow-unsigned-executable-memory</key><true/>
  <key>com.apple.security.cs.disable-executable-page-protection</key><true/>
  <key>com.apple.security.cs.allow-dyld-environment-variables</key><true/>
  <key>com.apple.security.cs.disable-library-validation</key><true/>
</dict>
</plist>
PLIST
  codesign --force --sign "$MACOS_SIGN_IDENTITY" --options runtime --timestamp --entitlements "$entitlements" "$bin"
  if [[ -n "${MACOS_NOTARY_PROFILE:-}" ]]; then
    zipped="$(mktemp -d)/$(basename "$bin").zip"
    ditto -c -k --keepParent "$bin" "$zipped"
    xcrun notarytool submit "$zipped" --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
    rm -f "$zipped"
  fi
fi
codesign --verify --strict --verbose=2 "$bin"
