#!/usr/bin/env bash
# Builds the real test tools from the Go module proxy and caches them outside the repo, by version.
#   test/tools/install.sh [tool ...]     (default: all)
# Prints nothing but progress on stderr; `test/tools/install.sh --print-dir` prints the bin dir.
# Tools: kube (kube-apiserver, kubectl, kube-controller-manager, kube-scheduler), etcd, kwok, kustomize, sops.
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-v1.36.3}"      # k8s.io/kubernetes; staging modules at v0.<minor>.<patch>
ETCD_VERSION="${ETCD_VERSION:-v3.6.16}"     # go.etcd.io/etcd/server/v3
KWOK_VERSION="${KWOK_VERSION:-v0.7.0}"      # sigs.k8s.io/kwok
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.1}"  # sigs.k8s.io/kustomize/kustomize/v5
SOPS_VERSION="${SOPS_VERSION:-v3.11.0}"     # github.com/getsops/sops/v3

CACHE="${DRIFTLESS_CACHE:-$HOME/.cache/driftless}"
BIN="$CACHE/bin"
WORK="$CACHE/build"
mkdir -p "$BIN" "$WORK"
export CGO_ENABLED=0 GOFLAGS="-trimpath" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

if [ "${1:-}" = "--print-dir" ]; then echo "$BIN"; exit 0; fi

log() { printf '[tools] %s\n' "$*" >&2; }
have() { [ -x "$BIN/$1" ]; }

# Each tool is stored as $BIN/<name>-<version>, with a symlink $BIN/<name> to the pinned one.
link() { ln -sfn "$1-$2" "$BIN/$1"; }

build_kube() {
  local v="$K8S_VERSION" staging="v0${K8S_VERSION#v1}"
  local names=(kube-apiserver kubectl kube-controller-manager kube-scheduler)
  local missing=0 n
  for n in "${names[@]}"; do have "$n-$v" || missing=1; done
  if [ "$missing" = 0 ]; then for n in "${names[@]}"; do link "$n" "$v"; done; return; fi
  log "building kubernetes $v (staging modules $staging); first time takes a while"
  local dir="$WORK/kubernetes-$v"
  mkdir -p "$dir"
  (
    cd "$dir"
    # k8s.io/kubernetes replaces its staging modules with local paths, so `go install` refuses it:
    # a wrapper module requires it and points every staging module at its published release.
    local gomod
    gomod=$(go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    {
      echo "module driftless.local/kubetools"
      echo
      grep -m1 '^go ' "$gomod"
      echo
      echo "require k8s.io/kubernetes $v"
      echo
      echo "replace ("
      sed -n 's#^\s*\(k8s.io/[a-z0-9-]*\) => ./staging/src/k8s.io/.*#\t\1 => \1 '"$staging"'#p' "$gomod"
      echo ")"
    } > go.mod
    cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
    go mod tidy -e >/dev/null 2>&1 || true
    go mod download >/dev/null
    local minor="${v#v1.}"; minor="${minor%%.*}"
    local ld="-s -w"
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ld="$ld -X $p.gitVersion=$v -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
    done
    mkdir -p out
    go build -tags tools -ldflags "$ld" -o out/ \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl \
      k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler
    for n in "${names[@]}"; do mv "out/$n" "$BIN/$n-$v"; done
  )
  for n in "${names[@]}"; do link "$n" "$v"; done
}

build_etcd() {
  local v="$ETCD_VERSION"
  if have "etcd-$v"; then link etcd "$v"; return; fi
  log "building etcd $v"
  local dir="$WORK/etcd-$v"
  mkdir -p "$dir"
  (
    cd "$dir"
    # etcd's root module replaces its submodules locally too; etcdmain lives in the server module.
    cat > go.mod <<MOD
module driftless.local/etcd

go 1.24

require go.etcd.io/etcd/server/v3 $v
MOD
    cat > main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
    go mod tidy >/dev/null 2>&1
    go build -ldflags "-s -w" -o "$BIN/etcd-$v" .
  )
  link etcd "$v"
}

# Modules that `go install` takes as they are.
build_install() {
  local name="$1" pkg="$2" v="$3"
  if have "$name-$v"; then link "$name" "$v"; return; fi
  log "building $name $v"
  local gobin="$WORK/gobin-$name-$v"
  mkdir -p "$gobin"
  GOBIN="$gobin" go install -ldflags "-s -w" "$pkg@$v"
  mv "$gobin/$name" "$BIN/$name-$v"
  link "$name" "$v"
}

# Standalone kwok needs its stages passed by file: take the ones its module ships (node initialise and
# heartbeat, pod ready/complete/delete) from the module cache, as one multi-document file.
kwok_stages() {
  local out="$BIN/kwok-stages-$KWOK_VERSION.yaml"
  [ -s "$out" ] && return
  local dir
  dir=$(cd "$WORK" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  local s="$dir/kustomize/stage"
  local f first=1
  : > "$out.tmp"
  for f in "$s/node/fast/node-initialize.yaml" "$s/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml" \
           "$s/pod/fast/pod-ready.yaml" "$s/pod/fast/pod-complete.yaml" "$s/pod/fast/pod-delete.yaml"; do
    [ "$first" = 1 ] || echo "---" >> "$out.tmp"
    first=0
    cat "$f" >> "$out.tmp"
  done
  mv "$out.tmp" "$out"
}

want=("$@")
[ ${#want[@]} -gt 0 ] || want=(etcd kube kwok kustomize sops)
for t in "${want[@]}"; do
  # One build of a tool at a time, even across parallel callers: the second waits, then finds it built.
  exec 9>"$WORK/lock-$t"
  flock 9
  case "$t" in
    kube) build_kube ;;
    etcd) build_etcd ;;
    kwok) build_install kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION"; kwok_stages ;;
    kustomize) build_install kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION" ;;
    sops) build_install sops github.com/getsops/sops/v3/cmd/sops "$SOPS_VERSION" ;;
    *) echo "unknown tool: $t" >&2; exit 2 ;;
  esac
  exec 9>&-
done
log "tools ready in $BIN"
