#!/usr/bin/env bash
# Builds a real Kubernetes control plane for the tests from the Go module proxy:
# etcd, kube-apiserver and kube-controller-manager, into a cache folder outside the clone,
# keyed by version. A second run with the binaries present does nothing.
#
#   KUBE_VERSION (default 1.34.4), ETCD_VERSION (default 3.6.16),
#   KUBE_PEER_CACHE (default ~/.cache/runbook-bot/kube)
# Prints the bin folder on its last line.
set -euo pipefail
KUBE_VERSION="${KUBE_VERSION:-1.34.4}"
ETCD_VERSION="${ETCD_VERSION:-3.6.16}"
CACHE_ROOT="${KUBE_PEER_CACHE:-$HOME/.cache/runbook-bot/kube}"
BIN="$CACHE_ROOT/k8s-v$KUBE_VERSION-etcd-v$ETCD_VERSION/bin"
mkdir -p "$BIN"
export GOFLAGS=-mod=mod
export CGO_ENABLED=0
log() { echo "[kube-build] $*" >&2; }

if [[ ! -x "$BIN/etcd" ]]; then
  log "building etcd v$ETCD_VERSION (a few minutes on a cold cache)"
  work="$(mktemp -d)"
  (
    cd "$work"
    cat > go.mod <<GOMOD
module etcdwrap

go 1.24

require (
	go.etcd.io/etcd/server/v3 v$ETCD_VERSION
	go.etcd.io/etcd/api/v3 v$ETCD_VERSION
	go.etcd.io/etcd/client/pkg/v3 v$ETCD_VERSION
	go.etcd.io/etcd/client/v3 v$ETCD_VERSION
	go.etcd.io/etcd/pkg/v3 v$ETCD_VERSION
)
GOMOD
    echo 'package etcdwrap' > doc.go
    echo '//go:build tools
package etcdwrap
import _ "go.etcd.io/etcd/server/v3"' > tools.go
    go mod tidy >&2 || true
    go build -p 2 -trimpath -o "$BIN/etcd.tmp" go.etcd.io/etcd/server/v3
  )
  mv "$BIN/etcd.tmp" "$BIN/etcd"
  rm -rf "$work"
fi

# A binary built without the version stamp answers /version with v0.0.0-master: rebuild it
# (only the link step runs again: Go's build cache keeps the compiled packages).
need=()
for b in kube-apiserver kube-controller-manager; do
  if [[ ! -x "$BIN/$b" ]] || ! "$BIN/$b" --version 2>/dev/null | grep -qx "Kubernetes v$KUBE_VERSION"; then
    need+=("$b")
  fi
done
if (( ${#need[@]} )); then
  log "building ${need[*]} v$KUBE_VERSION (about 15-20 minutes on a cold cache, 2 cores)"
  work="$(mktemp -d)"
  (
    cd "$work"
    moddir="$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
    staging="$(grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$moddir" | awk '{print $1}' | sort -u)"
    if [[ -z "$staging" ]]; then
      staging="$(grep -oE 'k8s\.io/[a-z0-9-]+ v0\.0\.0' "$moddir" | awk '{print $1}' | sort -u)"
    fi
    minor="${KUBE_VERSION#*.}"
    {
      echo "module kubewrap"
      echo
      echo "go 1.24"
      echo
      echo "require k8s.io/kubernetes v$KUBE_VERSION"
      echo
      echo "replace ("
      for m in $staging; do echo "	$m => $m v0.$minor"; done
      echo ")"
    } > go.mod
    echo 'package kubewrap' > doc.go
    printf '//go:build tools\npackage kubewrap\nimport (\n _ "k8s.io/kubernetes/cmd/kube-apiserver"\n _ "k8s.io/kubernetes/cmd/kube-controller-manager"\n)\n' > tools.go
    go mod tidy >&2 || true
    major="${KUBE_VERSION%%.*}"
    ldflags=""
    for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
      ldflags+=" -X $pkg.gitVersion=v$KUBE_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=${minor%%.*}"
      ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
    done
    for b in "${need[@]}"; do
      log "go build $b"
      go build -p 2 -trimpath -ldflags "$ldflags" -o "$BIN/$b.tmp" "k8s.io/kubernetes/cmd/$b"
      mv "$BIN/$b.tmp" "$BIN/$b"
    done
  )
  rm -rf "$work"
fi
echo "$BIN"
