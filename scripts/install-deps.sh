#!/usr/bin/env bash
# Installs the Debian packages PYTI needs, and only those that are missing. Idempotent: a second run
# installs nothing. Uses sudo when not run as root. Set PYTI_DEPS_EXTRA="pkg ..." to add packages.
set -euo pipefail

# What PYTI runs, and why:
#   bubblewrap, runsc      the two sandbox backends (bwrap default, gVisor stronger)
#   strace                 traces every file, process and network system call from outside the sandbox
#   python3-*, pylint      the Python side: venv, pip, build backends, the test runners and linters
#   python3-pytest-cov, python3-pytest-xdist, python3-execnet
#                          pytest plugins real projects turn on in their configuration, served as
#                          wheels to the tests that check PYTI's coverage stays right with them
#   python3-django         a Django application's tests, which PYTI's pytest plugin sets Django up for
#   python3-*-whl          Debian's real pip/setuptools/wheel wheels, served by the local index as
#                          real-world inputs and used to seed fresh environments offline
#   gcc, python3-dev       building C extensions
#   iproute2               network namespaces for the tests
#   nftables               the sandbox's network sinkhole: redirects every connection to PYTI's recorder
#   chromium               the headless browser the web UI tests drive
#   debootstrap            builds the clean OS images (pyti image build)
#   locales                the en_US.UTF-8 locale (see ensure_locale)
packages=(
  bubblewrap runsc strace
  python3 python3-venv python3-dev python3-pip python3-build
  python3-pip-whl python3-setuptools-whl python3-wheel-whl
  python3-setuptools python3-wheel
  python3-pytest python3-coverage python3-pycodestyle python3-pyflakes pylint python3-docutils
  python3-pytest-cov python3-pytest-xdist python3-execnet python3-django
  gcc make git iproute2 nftables ca-certificates chromium debootstrap locales
)
# shellcheck disable=SC2206
packages+=(${PYTI_DEPS_EXTRA:-})

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

# en_US.UTF-8 is the locale a developer's machine and the usual CI runners have beside C.UTF-8, and
# test suites set it (natsort's, Babel's): the sandbox sees this machine's /usr/lib/locale, so
# without it those tests fail for want of the locale, not for the package. Debian's minimal
# systems have only C.UTF-8. Enabled in /etc/locale.gen, so that the locales package's own
# locale-gen (on an upgrade) keeps it.
ensure_locale() {
  if locale -a 2>/dev/null | grep -qix 'en_US.utf8'; then
    return
  fi
  if [ -n "$sudo" ] && ! command -v sudo >/dev/null; then
    echo "install-deps: need root or sudo to generate the en_US.UTF-8 locale" >&2
    exit 1
  fi
  echo "install-deps: generating the en_US.UTF-8 locale"
  if [ -f /etc/locale.gen ] && command -v locale-gen >/dev/null; then
    $sudo sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' /etc/locale.gen
    grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
    $sudo locale-gen
  else
    $sudo localedef -i en_US -f UTF-8 en_US.UTF-8
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} Debian packages PYTI needs are installed"
  ensure_locale
  exit 0
fi

if [ -n "$sudo" ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
fi
echo "install-deps: installing missing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
ensure_locale
echo "install-deps: done"
