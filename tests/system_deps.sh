#!/usr/bin/env bash
# What `make test` needs from the operating system, beyond Python and PyPI: Debian packages.
# As root, install what is missing (apt-get); otherwise say in one line what to install and stop.
set -euo pipefail
missing() {
  need=()
  [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || need+=(chromium)   # browser tests (Playwright drives it)
  [ -x "${NGINX:-/usr/sbin/nginx}" ] || need+=(nginx)            # the deploy test: replicas behind a real nginx
  command -v npm >/dev/null 2>&1 || need+=(npm)                 # axe-core for the accessibility test (npm ci)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)          # the email tests make a certificate for their SMTP server
  [ ${#need[@]} -gt 0 ]
}
missing || exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${need[*]} (Debian packages the tests need) ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  # checked again after: apt-get can succeed and leave a program missing (a package already "installed")
  if apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null && ! missing; then exit 0; fi
  echo "make test: ${need[*]} still missing after apt-get install; install them, then run make test again." >&2
  exit 1
fi
echo "make test needs the Debian package(s) ${need[*]}: run 'sudo apt-get install ${need[*]}', then make test again." >&2
exit 1
