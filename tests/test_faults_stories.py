"""Stories under stress (issue 21, items 5 and 8): the fingerprint of a huge text in bounded memory, with the
same signature as before, and `stories --rebuild` killed with SIGKILL midway leaving the old grouping whole.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from datasketch import MinHash
from faults.tally import rows_checked
from story_texts import ORIGINAL, TRAILER

from crawler.lock import CrawlLock
from crawler.store import Store
from extract import stories

# --- item 5: memory of the fingerprint --------------------------------------------------------------------


def _random_chinese(chars: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(chars))


def _one_batch_signature(grams: frozenset[int]) -> list[int]:
    """The signature the way it was computed before: every shingle in one datasketch batch."""
    mh = MinHash(num_perm=stories.NUM_PERM, seed=1, hashfunc=int, permutations=stories._permutations(),
                 scheme="affine32")
    mh.update_batch(list(grams))
    return [int(v) for v in mh.hashvalues]


def test_the_fingerprint_of_a_huge_text_stays_in_bounded_memory():
    text = _random_chinese(100_000)  # 100,000 distinct shingles: a 100,000 x 128 array was 100 MB, three times
    stories.fingerprint(text[:2_000])  # datasketch's permutations made once, outside the measure
    tracemalloc.start()
    try:
        found = stories.fingerprint(text)
        peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    assert found is not None and len(found.shingles) > 99_000
    assert peak_mb < 30, f"fingerprinting 100,000 characters peaked at {peak_mb:.0f} MB"


@pytest.mark.parametrize("text", [
    "\n".join(ORIGINAL),
    "\n".join(ORIGINAL + TRAILER),
    "\n".join(ORIGINAL) * 12,  # more shingles than one chunk holds? no: repeated text, few distinct
    _random_chinese(9_000, seed=3),  # two full chunks and a part
], ids=["report", "report with trailer", "repeated", "9,000 characters"])
def test_the_signature_is_the_one_a_single_batch_gives(text):
    grams = stories.shingles(text)
    assert stories.minhash_values(grams) == _one_batch_signature(grams)
    found = stories.fingerprint(text)
    assert found.bands == tuple(stories.all_bands(text, grams))


# --- item 8: a rebuild killed midway ----------------------------------------------------------------------

ARTICLES = 300
REBUILD = (
    "import sys, time\n"
    "from crawler.db import open_database\n"
    "from crawler.stories import rebuild_stories\n"
    "engine = open_database(sys.argv[1])\n"
    "print('rebuilding', flush=True)\n"
    "started = time.monotonic()\n"
    "rebuild_stories(engine, batch=25)\n"
    "print(f'done {time.monotonic() - started:.3f}', flush=True)\n"
)
SENTENCES = [
    "省人民政府办公厅印发行动方案，提出加快建设算力基础设施", "到2025年全省数据中心标准机架达到{n}万架",
    "新建农村供水工程{n}处，供水保证率明显提高", "各地要落实建设资金，确保工程按期完工并发挥效益",
    "培育数字化转型标杆企业{n}家以上，带动中小企业上云用数", "城市书房建成{n}个，乡镇综合文化站达标率达到百分之百",
    "冷链物流集散中心建成{n}个，农产品产地低温处理率明显提高", "政务服务事项承诺办理时限压缩至法定时限的{n}%以内",
    "改造城镇老旧小区{n}个，同步加装电梯，新增停车位", "业内人士认为，发展新兴产业要防止盲目上马、重复建设",
]


def _fill(db: Path) -> None:
    """ARTICLES articles of our own sentences; every third one a copy of an earlier one with a trailer."""
    Store(db)
    rng = random.Random(11)
    con = sqlite3.connect(db)
    con.execute("INSERT INTO sites (id, name, kind) VALUES (1, 'fault_stories', 'news')")
    texts: list[str] = []
    for i in range(ARTICLES):
        if i % 3 == 2:
            body = texts[rng.randrange(len(texts))] + "。责任编辑：王晓"
        else:
            body = "。".join(rng.choice(SENTENCES).format(n=rng.randint(10, 9999)) for _ in range(12)) + "。"
        texts.append(body)
        url = f"http://news.example.cn/art/{i}.html"
        con.execute("INSERT INTO pages (id, url) VALUES (?, ?)", (i + 1, url))
        con.execute("INSERT INTO articles (id, url, page_id, site_id, title, text, content_hash, published_at) "
                    "VALUES (?, ?, ?, 1, ?, ?, ?, ?)",
                    (i + 1, url, i + 1, f"第{i}篇", body, f"h{i}", f"2024-03-{i % 28 + 1:02d}T09:00:00+08:00"))
    con.commit()
    con.close()


def _grouping(db: Path) -> tuple[set[frozenset[int]], int, int]:
    con = sqlite3.connect(db)
    try:
        groups = {frozenset(int(i) for i in ids.split(",")) for (ids,) in con.execute(
            "SELECT GROUP_CONCAT(id) FROM articles WHERE story_id IS NOT NULL GROUP BY story_id")}
        bands = con.execute("SELECT COUNT(*) FROM story_bands").fetchone()[0]
        stories_ = con.execute("SELECT COUNT(*) FROM stories").fetchone()[0]
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return groups, bands, stories_
    finally:
        con.close()


def _rebuild(db: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", REBUILD, str(db)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "rebuilding"
    return proc


@pytest.mark.slow
def test_a_rebuild_killed_midway_leaves_the_old_grouping_whole(tmp_path):
    db = tmp_path / "policy.db"
    _fill(db)
    seconds = min(float(_rebuild(db).communicate(timeout=120)[0].split()[-1]) for _ in range(2))
    before = _grouping(db)
    assert sum(len(g) > 1 for g in before[0]) > 30 and before[1] > 0  # copies grouped, bands stored

    killed = 0
    for share in (0.25, 0.5):
        proc = _rebuild(db)
        time.sleep(seconds * share)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.communicate(timeout=30)
        after = _grouping(db)
        rows_checked(ARTICLES, len(set().union(*before[0]) ^ set().union(*after[0]))
                     + len(before[0] ^ after[0]) + abs(before[1] - after[1]))
        assert after == before, f"killed at {share:.0%} of the rebuild"
    assert killed == 2, f"the rebuild ({seconds:.2f} s) finished before it could be killed"
    _rebuild(db).communicate(timeout=120)  # the next rebuild completes
    assert _grouping(db) == before


def test_a_rebuild_waits_for_no_crawl_it_would_block(tmp_path):
    """The rebuild is one long write transaction: while a crawl holds the database it refuses (exit 4)."""
    db = tmp_path / "policy.db"
    Store(db).engine.dispose()
    with CrawlLock(db):
        result = subprocess.run([str(Path(sys.executable).with_name("policycrawl")), "stories", "--rebuild",
                                 "--db", str(db)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 4 and "holds the lock" in result.stderr and "rebuild the stories" in result.stderr
