#!/usr/bin/env bash
# router-image.sh: an nginx image for calzion's router, made offline.
#
#   DOCKER_HOST=unix://... router-image.sh [DIR]
#
# Imports local/nginx:router into the engine DOCKER_HOST names (nothing to do
# when it has the image already). The image holds this machine's
# /usr/sbin/nginx (Debian's "nginx" package, installed when missing), the
# shared libraries `ldd` lists for it, /etc/passwd and /etc/group with the
# users nginx's workers may run as, mime.types and the directories nginx
# writes to. Its default command runs nginx in the foreground; calzion runs it
# with its own configuration (`nginx -c ...`, which says `daemon off;`), and
# `docker exec ... nginx -t` and `nginx -s reload` work in it.
#
# The root file system is built once as DIR/nginx-rootfs.tar (DIR defaults to
# $CZ_E2E_DIR/image, else a temporary directory) and reused.
set -euo pipefail
export LC_ALL=C

PROG=router-image.sh
IMAGE=local/nginx:router

die() { echo "$PROG: error: $*" >&2; exit 1; }

[ -n "${DOCKER_HOST:-}" ] || die "DOCKER_HOST must name the engine to load the image into"
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  exit 0
fi

if [ ! -x /usr/sbin/nginx ]; then
  [ "$(id -u)" = 0 ] || die "/usr/sbin/nginx is missing: apt-get install nginx"
  echo "$PROG: installing Debian's nginx package" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi

dir=${1:-${CZ_E2E_DIR:+$CZ_E2E_DIR/image}}
cleanup=
if [ -z "$dir" ]; then
  dir=$(mktemp -d)
  cleanup=$dir
fi
mkdir -p "$dir"
tar=$dir/nginx-rootfs.tar

build_rootfs() {
  local root lib
  root=$(mktemp -d "$dir/nginx-rootfs.XXXXXX")
  mkdir -p "$root/usr/sbin" "$root/etc/nginx" "$root/var/log/nginx" "$root/var/lib/nginx" \
    "$root/var/lock" "$root/run" "$root/tmp"
  chmod 1777 "$root/tmp"
  cp /usr/sbin/nginx "$root/usr/sbin/nginx"
  # Every library at the path the dynamic loader looks for it, the loader too.
  for lib in $(ldd /usr/sbin/nginx | grep -oE '/[^ ]+'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  cp /etc/nginx/mime.types "$root/etc/nginx/mime.types"
  # Debian's nginx runs its workers as nobody unless told otherwise; the
  # others are what configurations written for other images name.
  printf '%s\n' 'root:x:0:0:root:/root:/bin/false' 'www-data:x:33:33:www-data:/var/www:/bin/false' \
    'nginx:x:101:101:nginx:/var/lib/nginx:/bin/false' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'www-data:x:33:' 'nginx:x:101:' 'nogroup:x:65534:' 'nobody:x:65534:' >"$root/etc/group"
  printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$root/etc/nsswitch.conf"
  # The image alone serves a 404 in the foreground.
  cat >"$root/etc/nginx/nginx.conf" <<'EOF'
daemon off;
error_log stderr;
events {}
http {
  access_log off;
  server { listen 80 default_server; return 404; }
}
EOF
  tar -C "$root" --numeric-owner --owner=0 --group=0 -cf "$tar.tmp" .
  mv "$tar.tmp" "$tar"
  rm -rf "$root"
}

[ -s "$tar" ] || build_rootfs
docker import -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["nginx"]' "$tar" "$IMAGE" >/dev/null
# The image must be able to check a configuration.
docker run --rm --pull never "$IMAGE" nginx -t -q || die "nginx -t fails in $IMAGE"
[ -z "$cleanup" ] || rm -rf "$cleanup"
