"""The published targets table in a real browser (Debian's headless chromium): Chinese text, not boxes.

Chromium is installed by scripts/install-chromium.sh on first need (apt-get, with a CJK font); where that is
not possible the test is skipped with the reason. The screenshot is kept in data/screenshots/targets.png.
"""

from __future__ import annotations

import shutil
import socket
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.publish import datasette_app

ROOT = Path(__file__).resolve().parent.parent
INSTALL_SCRIPT = ROOT / "scripts" / "install-chromium.sh"
SCREENSHOT_COPY = ROOT / "data" / "screenshots" / "targets.png"
WIDTH, HEIGHT = 1280, 900

pytestmark = pytest.mark.slow


def _find_chromium() -> str | None:
    return (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    )


def _has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


@pytest.fixture(scope="module")
def chromium() -> str:
    """The chromium binary, installing it (and a CJK font) once if missing; skip with the reason if impossible."""
    if not (_find_chromium() and _has_cjk_font()):
        try:
            result = subprocess.run(
                ["sh", str(INSTALL_SCRIPT)], capture_output=True, text=True, timeout=1200, check=False
            )
        except subprocess.TimeoutExpired:
            pytest.skip("chromium could not be installed: scripts/install-chromium.sh took over 20 minutes")
        if result.returncode != 0:
            pytest.skip(f"chromium could not be installed: {result.stderr.strip() or result.stdout.strip()}")
    binary = _find_chromium()
    if binary is None:
        pytest.skip("chromium is not installed and scripts/install-chromium.sh did not install it")
    if not _has_cjk_font():
        pytest.skip("no CJK font (fonts-wqy-microhei or fonts-noto-cjk): Chinese would render as boxes")
    return binary


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url(tmp_path_factory) -> Iterator[str]:
    """Datasette with our configuration on a free 127.0.0.1 port, in a thread (uvicorn)."""
    import uvicorn
    from test_datasette import build_sample_db

    db = build_sample_db(tmp_path_factory.mktemp("browser") / "policy.db")
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(datasette_app(db).app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("datasette did not start within 30 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit, non-interlaced PNG (what chromium writes); no Pillow needed."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, f"unexpected PNG format {header}"
    bpp = 3 if color == 2 else 4
    raw, stride, rows, previous = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, up_left = previous[i], previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        previous = line
        rows.append(bytes(b for j, b in enumerate(line) if j % bpp < 3))
    return width, height, rows


def _ink(rows: list[bytes], x0: int, x1: int) -> bytes:
    """Dark pixels of a vertical strip, as a bitmap: the shape a glyph leaves."""
    return bytes(int(sum(row[3 * x : 3 * x + 3]) < 384) for row in rows for x in range(x0, x1))


def test_targets_table_renders_chinese_text_in_chromium(chromium, server_url, tmp_path):
    url = f"{server_url}/policy/targets"
    dom = _run_chromium(chromium, tmp_path / "profile-dom", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    for text in (
        "湖南省",
        "区块链公共服务平台",
        "10个以上区块链公共服务平台",
        "湖南省区块链产业发展三年行动计划",
        "Numeric targets promised",
    ):
        assert text in dom.stdout, f"{text!r} missing from the rendered DOM (mojibake or an empty page?)"

    shot = tmp_path / "targets.png"
    result = _run_chromium(
        chromium, tmp_path / "profile-shot", f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", url
    )
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    width, height, rows = read_png(shot)
    assert (width, height) == (WIDTH, HEIGHT)
    dark = sum(_ink(rows, 0, width))
    assert 0.002 < dark / (width * height) < 0.5, f"the screenshot looks blank or solid: {dark} dark pixels"
    SCREENSHOT_COPY.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT_COPY)


def test_chinese_characters_render_as_distinct_glyphs_not_boxes(chromium, tmp_path):
    """Without a CJK font every character is the same empty box: 区, 链 and an unassigned code point would match."""
    page = tmp_path / "glyphs.html"
    cells = ["区", "链", "&#x10FFFD;"]  # the last one has no glyph in any font: the box chromium draws
    spans = "".join(f'<span style="left:{200 * i}px">{c}</span>' for i, c in enumerate(cells))
    page.write_text(
        '<html><head><meta charset="utf-8"><style>body{margin:0;background:#fff}'
        "span{position:absolute;top:0;width:200px;height:200px;font:160px sans-serif;line-height:200px;"
        f"text-align:center}}</style></head><body>{spans}</body></html>",
        encoding="utf-8",
    )
    shot = tmp_path / "glyphs.png"
    result = _run_chromium(
        chromium, tmp_path / "profile", f"--screenshot={shot}", "--window-size=600,200", page.as_uri()
    )
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    _, _, rows = read_png(shot)
    qu, lian, box = (_ink(rows, 200 * i, 200 * i + 200) for i in range(3))
    assert sum(qu) > 500 and sum(lian) > 500, "no ink where the characters should be"
    assert qu != lian, "区 and 链 render identically: boxes, no CJK font"
    assert qu != box and lian != box, "Chinese renders like a missing glyph"
