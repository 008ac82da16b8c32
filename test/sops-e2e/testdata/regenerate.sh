#!/usr/bin/env bash
# Re-encrypts the demo's SOPS Secret (demo/db-credentials.sops.yaml) with the real sops for the test-only age
# key test/sops/testdata/keys/age.agekey (never use it for anything real). Run from anywhere:
#   bash test/sops-e2e/testdata/regenerate.sh
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
BIN="$(bash "$ROOT/test/tools/install.sh" --print-dir)"
bash "$ROOT/test/tools/install.sh" sops
RECIPIENT="$(sed -n 's/^# public key: //p' "$ROOT/test/sops/testdata/keys/age.agekey")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cat > "$WORK/db-credentials.yaml" <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db-credentials
type: Opaque
stringData:
  username: backend
  password: correct-horse-battery-staple
YAML
# Run outside the repository so that no .sops.yaml creation rule applies.
(cd "$WORK" && "$BIN/sops" encrypt --age "$RECIPIENT" --encrypted-regex '^(data|stringData)$' db-credentials.yaml) \
  > "$HERE/demo/db-credentials.sops.yaml"
echo "re-encrypted $HERE/demo/db-credentials.sops.yaml" >&2
