#!/usr/bin/env bash
# Recreates the SOPS test fixtures in test/sops/testdata with the real `sops` (built by test/tools/install.sh):
#   keys/        test-only age identities and OpenPGP private keys (never use them for anything real)
#   plain/       the plaintext inputs (checked in, edited by hand)
#   encrypted/   `sops encrypt` of each input, one rule set per file (see the table below)
#   decrypted/   `sops decrypt` of each encrypted file: what driftless must output byte for byte
#   tampered/    encrypted files altered after encryption: a value, the MAC, truncated
#
#   test/sops/regenerate.sh            reuse the keys in keys/ (re-encrypts everything)
#   test/sops/regenerate.sh --new-keys generate new keys first
#
# The post-quantum age fixture needs sops >= 3.12 (age 1.3); it is built as SOPS_PQ_VERSION beside the pinned one.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA="$HERE/testdata"
SOPS_PQ_VERSION="${SOPS_PQ_VERSION:-v3.12.1}"
cd "$ROOT"

BIN="$(bash test/tools/install.sh --print-dir)"
bash test/tools/install.sh sops
SOPS="$(readlink -f "$BIN/sops")"
# The PQ-capable sops is built the same way, without moving the pinned `sops` link.
if [ ! -x "$BIN/sops-$SOPS_PQ_VERSION" ]; then
  gobin="$(mktemp -d)"
  CGO_ENABLED=0 GOFLAGS=-trimpath GOTOOLCHAIN="${GOTOOLCHAIN:-local}" GOBIN="$gobin" \
    go install -ldflags "-s -w" "github.com/getsops/sops/v3/cmd/sops@$SOPS_PQ_VERSION"
  mv "$gobin/sops" "$BIN/sops-$SOPS_PQ_VERSION"
  rmdir "$gobin"
fi
SOPS_PQ="$BIN/sops-$SOPS_PQ_VERSION"

WORK="$(mktemp -d)"
trap 'gpgconf --homedir "$WORK/gnupg" --kill all >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
export GNUPGHOME="$WORK/gnupg"
mkdir -m 700 "$GNUPGHOME"

mkdir -p "$DATA/keys" "$DATA/encrypted" "$DATA/decrypted" "$DATA/tampered"
KEYS="$DATA/keys"

# --- keys -------------------------------------------------------------------------------------------------
new_pgp_key() { # name uid algo(ed25519|rsa)
  local name="$1" uid="$2" algo="$3" fpr
  if [ "$algo" = rsa ]; then
    gpg --batch --passphrase '' --quick-gen-key "$uid" rsa2048 cert,sign,encr never 2>/dev/null
  else
    gpg --batch --passphrase '' --quick-gen-key "$uid" ed25519 cert,sign never 2>/dev/null
  fi
  fpr="$(gpg --batch --with-colons --list-secret-keys "$uid" | awk -F: '/^fpr/ {print $10; exit}')"
  [ "$algo" = rsa ] || gpg --batch --passphrase '' --quick-add-key "$fpr" cv25519 encr never 2>/dev/null
  gpg --batch --armor --export-secret-keys "$fpr" > "$KEYS/$name.asc"
}
if [ "${1:-}" = "--new-keys" ] || [ ! -f "$KEYS/age.agekey" ]; then
  npx node test/sops/gen-age-key.ts x25519 > "$KEYS/age.agekey"
  npx node test/sops/gen-age-key.ts x25519 > "$KEYS/age-second.agekey"
  npx node test/sops/gen-age-key.ts x25519 > "$KEYS/age-wrong.agekey"
  npx node test/sops/gen-age-key.ts pq > "$KEYS/age-pq.agekey"
  new_pgp_key pgp "driftless test <test@driftless.invalid>" ed25519
  new_pgp_key pgp-rsa "driftless rsa test <rsa@driftless.invalid>" rsa
  gpgconf --kill all
  rm -rf "$GNUPGHOME" && mkdir -m 700 "$GNUPGHOME"
fi
for k in pgp pgp-rsa; do gpg --batch --import "$KEYS/$k.asc" 2>/dev/null; done
gpg --batch --import-ownertrust 2>/dev/null <<<"$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr/ {print $10":6:"}')"
recipient() { sed -n 's/^# public key: //p' "$KEYS/$1.agekey"; }
fingerprint() { gpg --batch --with-colons --import-options show-only --import "$KEYS/$1.asc" 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}'; }
AGE="$(recipient age)"
AGE2="$(recipient age-second)"
AGE_PQ="$(recipient age-pq)"
PGP="$(fingerprint pgp)"
PGP_RSA="$(fingerprint pgp-rsa)"
# sops before 3.12 rejects a key file holding a post-quantum identity: it gets the classic ones only.
cat "$KEYS/age.agekey" "$KEYS/age-second.agekey" > "$WORK/classic.agekey"
cat "$KEYS/age-pq.agekey" > "$WORK/pq.agekey"

# --- encrypt ----------------------------------------------------------------------------------------------
# name | input | sops flags
enc() {
  local name="$1" input="$2"
  shift 2
  local bin="$SOPS"
  export SOPS_AGE_KEY_FILE="$WORK/classic.agekey"
  if [ "${1:-}" = "--pq" ]; then bin="$SOPS_PQ"; SOPS_AGE_KEY_FILE="$WORK/pq.agekey"; shift; fi
  local global=()
  if [ "${1:-}" = "--config" ]; then global=(--config "$2"); shift 2; fi
  "$bin" "${global[@]}" encrypt "$@" "$DATA/plain/$input" > "$DATA/encrypted/$name"
  "$bin" decrypt "$DATA/encrypted/$name" > "$DATA/decrypted/$name"
}
rm -f "$DATA"/encrypted/* "$DATA"/decrypted/* "$DATA"/tampered/*
enc values.yaml values.yaml --age "$AGE"
enc values-pgp.yaml values.yaml --pgp "$PGP"
enc pgp-rsa.yaml secret.yaml --pgp "$PGP_RSA"
enc age-and-pgp.yaml secret.yaml --age "$AGE" --pgp "$PGP"
enc two-age-recipients.yaml secret.yaml --age "$AGE2,$AGE"
enc pq.yaml secret.yaml --pq --age "$AGE_PQ"
enc encrypted-regex.yaml secret.yaml --age "$AGE" --encrypted-regex '^(data|stringData)$'
enc unencrypted-regex.yaml configmap-like.yaml --age "$AGE" --unencrypted-regex '^(apiVersion|kind|metadata|public|name)$'
enc encrypted-suffix.yaml suffix.yaml --age "$AGE" --encrypted-suffix _secret
enc unencrypted-suffix.yaml suffix.yaml --age "$AGE" --unencrypted-suffix _secret
# The comment rules exist only in a .sops.yaml creation rule.
rule() { # file, rule line
  printf 'creation_rules:\n  - age: %s\n    %s\n' "$AGE" "$2" > "$WORK/$1"
}
rule enc-comment.sops.yaml "encrypted_comment_regex: 'sops:enc'"
rule plain-comment.sops.yaml "unencrypted_comment_regex: 'sops:plain'"
enc encrypted-comment-regex.yaml comments.yaml --config "$WORK/enc-comment.sops.yaml"
enc unencrypted-comment-regex.yaml plain-comments.yaml --config "$WORK/plain-comment.sops.yaml"
enc comments-everywhere.yaml comments-everywhere.yaml --age "$AGE"
enc comments-everywhere-regex.yaml comments-everywhere.yaml --config "$WORK/enc-comment.sops.yaml"
enc multi-comments.yaml multi-comments.yaml --age "$AGE"
enc timestamps.yaml timestamps.yaml --age "$AGE"
enc odd-keys.yaml odd-keys.json --age "$AGE" --input-type json --output-type yaml
enc odd-docs.yaml odd-docs.yaml --age "$AGE"
rule mac-only.sops.yaml "encrypted_regex: '^(data|stringData)$'
    mac_only_encrypted: true"
enc mac-only-encrypted.yaml secret.yaml --config "$WORK/mac-only.sops.yaml"
enc multi.yaml multi.yaml --age "$AGE" --encrypted-regex '^(data|stringData)$'
enc app.env app.env --age "$AGE"
enc config.json config.json --age "$AGE"
enc config-pgp.json config.json --pgp "$PGP"
enc blob.bin blob.bin --age "$AGE"
# Key groups: three groups, any two recover the data key.
cat > "$WORK/shamir.sops.yaml" <<CONF
creation_rules:
  - shamir_threshold: 2
    encrypted_regex: ^(data|stringData)$
    key_groups:
      - age: [$AGE]
      - pgp: [$PGP]
      - age: [$AGE2]
CONF
enc shamir.yaml shamir.yaml --config "$WORK/shamir.sops.yaml"
grep -v encrypted_regex "$WORK/shamir.sops.yaml" > "$WORK/shamir-all.sops.yaml"
enc shamir.env app.env --config "$WORK/shamir-all.sops.yaml"
enc shamir.json config.json --config "$WORK/shamir-all.sops.yaml"
enc app-pgp.env app.env --pgp "$PGP"
enc blob-pgp.bin blob.bin --pgp "$PGP"

# A seeded corpus of documents full of strings that need quoting or escaping, as YAML and JSON, and as YAML with
# nothing encrypted (every value then goes through the MAC as parsed from the YAML text).
npx node test/sops/gen-corpus.ts "$WORK/corpus" 24
for f in "$WORK"/corpus/*.json; do
  b="$(basename "$f" .json)"
  for out in yaml json clear.yaml; do
    name="$b.$out"
    flags=(--age "$AGE")
    [ "$out" = clear.yaml ] && flags+=(--encrypted-regex '^never$')
    "$SOPS" encrypt "${flags[@]}" --input-type json --output-type "${out##*.}" "$f" > "$DATA/encrypted/$name"
    # sops cannot read back some of its own YAML (line separators in block scalars): leave those out.
    if ! "$SOPS" decrypt "$DATA/encrypted/$name" > "$DATA/decrypted/$name" 2>/dev/null; then
      rm -f "$DATA/encrypted/$name" "$DATA/decrypted/$name"
    fi
  done
done

# --- tamper -----------------------------------------------------------------------------------------------
npx node test/sops/tamper.ts "$DATA/encrypted" "$DATA/tampered"

# sops itself must reject every tampered file.
export SOPS_AGE_KEY_FILE="$WORK/classic.agekey"
for f in "$DATA"/tampered/*; do
  if "$SOPS" decrypt "$f" > /dev/null 2>&1; then echo "sops accepted tampered file $f" >&2; exit 1; fi
done
"$SOPS" --version 2>/dev/null | head -1 > "$DATA/SOPS_VERSION"
echo "fixtures regenerated in $DATA" >&2
