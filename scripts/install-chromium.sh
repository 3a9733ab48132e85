#!/bin/sh
# Install Debian's chromium and a CJK font for the browser test (tests/test_browser.py).
# Without a CJK font chromium draws Chinese as empty boxes, so the font is part of the requirement.
# Exit 0 when both are present afterwards; non-zero with one sentence on stderr when they cannot be installed.
set -u

have_chromium() { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; }
have_cjk_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -n 1)" ]; }

if have_chromium && have_cjk_font; then
    echo "chromium and a CJK font are already installed"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: apt-get not found; install chromium and fonts-noto-cjk (or fonts-wqy-microhei) yourself" >&2
    exit 2
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install-chromium: need root (or passwordless sudo) to run apt-get install chromium fonts-wqy-microhei" >&2
        exit 3
    fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null || {
    echo "install-chromium: apt-get update failed; check the network or the Debian mirror" >&2
    exit 4
}
packages=""
have_chromium || packages="chromium"
# wqy-microhei is one 5 MB file; noto-cjk is the fallback when a mirror lacks it.
if ! have_cjk_font; then
    if apt-cache show fonts-wqy-microhei >/dev/null 2>&1; then
        packages="$packages fonts-wqy-microhei"
    else
        packages="$packages fonts-noto-cjk"
    fi
fi
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $packages fontconfig >/dev/null || {
    echo "install-chromium: apt-get install $packages failed; install them by hand" >&2
    exit 5
}
fc-cache -f >/dev/null 2>&1 || true

if ! have_chromium; then
    echo "install-chromium: chromium is still missing after apt-get install" >&2
    exit 6
fi
if ! have_cjk_font; then
    echo "install-chromium: no CJK font found after installing one; Chinese would render as boxes" >&2
    exit 7
fi
echo "chromium and a CJK font are installed"
