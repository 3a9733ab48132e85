"""`policycrawl`: the command line of spec/CLI.md, thin over crawler/ and extract/.

Imports are deferred into each command so `policycrawl --help` starts fast (no Scrapy, jieba or OpenCC).
Exit codes: 0 ok; 1 run finished with failures over the threshold; 2 bad usage or configuration;
3 the database cannot be opened or migrated.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from crawler.logging_setup import mask_credentials

DEFAULT_DB = "data/policy.db"


def _fail(message: str, code: int) -> None:
    click.echo(f"policycrawl: {mask_credentials(message)}", err=True)  # a URL's password never reaches stderr
    sys.exit(code)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2021-04-27") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="policy-crawler")
def main() -> None:
    """Crawl Chinese policy news and government notices into SQLite, with the facts they state.

    Example: policycrawl crawl --sample && policycrawl runs
    """


@main.command()
@click.option("--sample", is_flag=True, help="Crawl the bundled sample sites (served on 127.0.0.1, no network).")
@click.option("--sites", default=None, help="Comma-separated registry names to crawl (default: all enabled).")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
              help="SQLite database file, or postgresql://… (the shared database of distributed workers).")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="At most N detail pages per site.")
@click.option("--since", default=None, metavar="DATE",
              help="Leave list entries older than DATE (YYYY-MM-DD) alone and stop paging past them.")
@click.option("--revisit", is_flag=True,
              help="Ask every known page again with a conditional request (a 304 costs no body).")
@click.option("--full", is_flag=True, help="Ignore what the database knows: every list and detail page again.")
@click.option("--jobdir", default=None, help="Scrapy JOBDIR for pausing and resuming long crawls.")
@click.option("--log-file", default=None,
              help="Write the INFO log to this file, one line per event, rotated by size (LOG_MAX_BYTES).")
@click.option("--registry", "registry_path", default=None, help="Site registry YAML (default: the one shipped).")
@click.option("--frontier", default=None, metavar="REDIS_URL",
              help="Run as a worker of a distributed crawl: requests come from this shared frontier, filled by "
                   "`policycrawl seed` (README: Scaling out). Use with --db postgresql://….")
@click.option("-s", "--set", "set_pairs", multiple=True, metavar="NAME=VALUE",
              help="Override a setting of crawler/settings.py for this run, e.g. -s REVISIT_AFTER_DAYS=7.")
@click.option("-v", "--verbose", is_flag=True, help="Log INFO to the terminal.")
def crawl(sample, sites, db_path, max_pages, since, revisit, full, jobdir, log_file, registry_path, set_pairs,
          verbose, frontier=None) -> None:
    """Crawl the site registry (or the sample sites) and print a summary per site.

    Incremental: list pages are always read, stored pages are skipped unless the list shows a newer date or a
    revisit is due (REVISIT_AFTER_DAYS, or --revisit); paging stops after a list page with nothing new.

    \b
    Exit codes (for cron and systemd):
      0  ok
      1  the run finished but a site failed (the reason is one line on stderr)
      2  bad usage or configuration
      3  the database cannot be opened or migrated
      4  another crawl holds the lock on this database (nothing was done)
      5  interrupted by SIGTERM or Ctrl-C (run recorded as interrupted; the next run completes it)

    Example: policycrawl crawl --sample --db data/policy.db --log-file data/logs/crawl.log

    A worker: policycrawl crawl --frontier redis://10.0.0.5:6379/0 --db postgresql://crawler@10.0.0.5/policy
    """
    from crawler.crawl import (
        EXIT_DATABASE,
        EXIT_INTERRUPTED,
        EXIT_LOCKED,
        EXIT_USAGE,
        CrawlInterrupted,
        UsageError,
        format_summary,
        parse_setting_overrides,
        run_crawl,
    )
    from crawler.db import DatabaseError
    from crawler.lock import LockHeld

    names = [s.strip() for s in sites.split(",") if s.strip()] if sites else None
    try:
        result = run_crawl(
            db_path,
            sample=sample,
            site_names=names,
            max_pages=max_pages,
            jobdir=jobdir,
            log_file=log_file,
            log_level="INFO" if verbose else "WARNING",
            registry_path=registry_path,
            settings_overrides=parse_setting_overrides(set_pairs) or None,
            full=full,
            revisit=revisit,
            since=_date(since),
            frontier=frontier,
        )
    except UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
    except DatabaseError as exc:
        _fail(str(exc), EXIT_DATABASE)
    except LockHeld as exc:
        _fail(str(exc), EXIT_LOCKED)
    except (CrawlInterrupted, KeyboardInterrupt) as exc:
        _fail(f"interrupted ({str(exc) or 'SIGINT'}); the run is recorded as interrupted and the next crawl completes it",
              EXIT_INTERRUPTED)
    for line in format_summary(result):
        click.echo(line)
    for site, reason in sorted(result.failures.items()):
        click.echo(f"policycrawl: site {site} failed: {reason}", err=True)
    if result.status == "interrupted":
        click.echo(f"policycrawl: run {result.run_id} was interrupted; the next crawl completes the work", err=True)
    sys.exit(result.exit_code)


@main.command("check-sites")
@click.option("--sites", default=None, help="Comma-separated registry names (default: every entry).")
@click.option("--registry", "registry_path", default=None, help="Site registry YAML (default: the one shipped).")
def check_sites_command(sites, registry_path) -> None:
    """Run each site's contract: its recorded page must still parse into the expected fields, and its
    recorded list page must still yield detail links. Prints a table; exit code 1 when a contract fails.

    Example: policycrawl check-sites --sites govcn_policy_library,hunan_szfwj
    """
    from crawler.contracts import check_sites, format_table
    from crawler.registry import RegistryError, load_registry

    names = [s.strip() for s in sites.split(",") if s.strip()] if sites else None
    try:
        registry = load_registry(registry_path)
        results = check_sites(registry, names, Path(registry_path).parent / "contracts" if registry_path else None)
    except RegistryError as exc:
        _fail(str(exc), 2)
    for line in format_table(results):
        click.echo(line)
    failed = [r.site for r in results if r.failed]
    if failed:
        click.echo(f"policycrawl: contract failed for {', '.join(failed)}; the site or our reader changed — "
                   "look at the page, then fix the registry entry or re-record the contract", err=True)
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reference-date", default=None, help="Publication date YYYY-MM-DD for dates without a year.")
@click.option("--explain", is_flag=True,
              help="Instead of JSON, list every quantity with its decision, the reason, and the year and region given.")
def extract(files, reference_date, explain) -> None:
    """Facts (spec/FACTS.md) of plain-text or HTML files, one JSON object per line.

    Example: policycrawl extract ../shared/seeds/001_128a18f5b4bf6651.txt
    Example: policycrawl extract --explain notice.txt   (why each number was or was not taken)
    """
    from crawler.text_files import NotTextError, facts_of_file

    ref = _date(reference_date)
    refused = False
    for path in files:
        try:
            if explain:
                decisions: list = []
                facts_of_file(path, ref, explain=decisions)
                click.echo(f"== {path}")
                for d in decisions:
                    mark = "TARGET" if d.goal else "skip  "
                    slots = f"  year={d.year} ({d.year_from}); region={d.region} ({d.region_from}); " \
                            f"metric={d.metric}" if d.goal else ""
                    click.echo(f"{mark} @{d.start:<6} …{d.text}  — {d.reason}{slots}")
                continue
            click.echo(json.dumps(facts_of_file(path, ref).to_json(), ensure_ascii=False))
        except NotTextError as exc:  # one line per bad file, the others still done; exit 2 at the end
            click.echo(f"policycrawl: {exc}", err=True)
            refused = True
    if refused:
        sys.exit(2)


@main.command("parse-page")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The page's URL (resolves relative attachment links).")
def parse_page_command(file, url) -> None:
    """One HTML page → one JSON object: title, dates, source, body, notice fields, attachments.

    Example: policycrawl parse-page page.html --url https://www.gov.cn/zhengce/content/2019-05/06/content_5388888.htm
    """
    from extract.article import parse_page

    record = parse_page(file.read_bytes(), url)
    click.echo(json.dumps(record.to_json(), ensure_ascii=False, indent=1))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def normalize(file) -> None:
    """The normalised Simplified text of a text file, on stdout.

    Example: policycrawl normalize article.txt > article.zh-Hans.txt
    """
    from crawler.text_files import NotTextError, read_text_file
    from extract.normalize import normalize_text

    try:
        text = read_text_file(file)
    except NotTextError as exc:
        _fail(str(exc), 2)
    click.echo(normalize_text(text).text)


@main.command("eval")
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("text_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def eval_command(gold_dir, text_dir) -> None:
    """Score the fact extractor on labelled data (rules of spec/FACTS.md), then list what was lost by cause.

    Example: policycrawl eval ../shared/eval/dev/gold ../shared/eval/dev/texts
    """
    from extract.scoring import evaluate_dir

    report = evaluate_dir(gold_dir, text_dir)
    for line in report.lines():  # the last line is the summary (targets_strict_f1=… …)
        click.echo(line)


@main.command("eval-pages")
@click.argument("pages_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def eval_pages_command(pages_dir) -> None:
    """Score page understanding side by side with GNE and trafilatura on labelled real pages: body F1, the
    <meta> tags, the gov.cn notice fields, and labels.json field by field (title, published_on, issuer,
    doc_number, index_no, written_on, attachments, body F1), with the pages ours missed.

    Example: policycrawl eval-pages ../shared/eval/pages
    """
    from extract.page_scoring import evaluate_pages

    for line in evaluate_pages(pages_dir).lines():
        click.echo(line)


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database file.")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Processes analysing pages (default: REEXTRACT_WORKERS, one per core; 0: this one).")
def reextract(db_path, workers) -> None:
    """Re-run normalisation and fact extraction over every stored page, without the network.

    Example: policycrawl reextract --db data/policy.db
    """
    from crawler.db import DatabaseError
    from crawler.offline import reextract_all

    if "://" not in db_path and not Path(db_path).exists():  # a postgresql:// URL is checked on opening
        _fail(f"{db_path} does not exist; crawl first (policycrawl crawl --sample) or pass --db", 3)
    try:
        done, skipped, seconds = reextract_all(db_path, workers)
    except DatabaseError as exc:
        _fail(str(exc), 3)
    rate = done / seconds if seconds else 0.0
    click.echo(f"re-extracted {done} articles ({skipped} skipped) in {seconds:.1f} s: {rate:.1f} articles/s")


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database file.")
@click.option("--older-than", default="30d", show_default=True, metavar="AGE",
              help="Revisit documents last confirmed longer ago than this (30d, 12h, 2w; 0d: all).")
@click.option("--sites", default=None, help="Comma-separated site names (default: every stored site).")
@click.option("--sample", is_flag=True,
              help="Revisit a `crawl --sample` database against the sample sites' second version (served here).")
@click.option("--registry", "registry_path", default=None, help="Site registry YAML (default: the one shipped).")
@click.option("-s", "--set", "set_pairs", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting for this run (DOWNLOAD_DELAY=2).")
def revisit(db_path, older_than, sites, sample, registry_path, set_pairs) -> None:
    """Ask each stored document's URL again and record what became of it: alive, changed (a new version is
    kept), moved, gone (404/410, a redirect to the home page, a "页面不存在" page) or unreachable. The stored
    text is never deleted; see the view v_document_status. Exit codes: 0 ok, 1 more than
    REVISIT_UNREACHABLE_RATIO unreachable, 2 bad usage, 3 database, 4 a crawl holds the database, 5 interrupted
    (what was answered is kept; the next revisit asks the rest).

    Example: policycrawl revisit --db data/policy.db --older-than 30d   (nightly from cron)
    """
    from crawler.crawl import UsageError, parse_setting_overrides
    from crawler.db import DatabaseError
    from crawler.lock import LockHeld, LockUnavailable
    from crawler.revisit import RevisitUsageError, format_result, parse_age, run_revisit, served_sites

    if "://" not in db_path and not Path(db_path).exists():
        _fail(f"{db_path} does not exist; crawl first (policycrawl crawl --sample) or pass --db", 3)
    try:
        age = parse_age(older_than)
        overrides = parse_setting_overrides(set_pairs)
        names = [s.strip() for s in sites.split(",") if s.strip()] if sites else None
        with served_sites(sample, registry_path) as (bases, implied):
            result = run_revisit(db_path, age, names, {**implied, **overrides}, served_bases=bases)
    except (RevisitUsageError, UsageError) as exc:
        _fail(str(exc), 2)
    except DatabaseError as exc:
        _fail(str(exc), 3)
    except (LockHeld, LockUnavailable) as exc:
        _fail(f"cannot take the database's lock ({exc}); wait for the running crawl to finish", 4)
    click.echo(format_result(result))
    sys.exit(result.exit_code)


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database file.")
@click.option("--limit", default=20, show_default=True, help="How many runs to show, newest first.")
@click.option("--run", "run_id", type=int, default=None, help="One run's counts per site (the crawl's summary table).")
@click.option("--json", "as_json", is_flag=True, help="The runs as JSON (one object per run, counts per site).")
def runs(db_path, limit, run_id, as_json) -> None:
    """The history of crawl runs with their counts: status, exit code, requests, new, updated, unchanged, 304,
    skipped and errors, totalled over the run's sites.

    Example: policycrawl runs --db data/policy.db --limit 5; policycrawl runs --run 12
    """
    from crawler.crawl import CrawlResult, format_summary
    from crawler.db import DatabaseError
    from crawler.run_history import format_runs, run_seconds
    from crawler.store import Store

    if "://" not in db_path and not Path(db_path).exists():  # a postgresql:// URL is checked on opening
        _fail(f"{db_path} does not exist; crawl first (policycrawl crawl --sample) or pass --db", 3)
    try:
        store = Store(db_path)
        history = [store.run(run_id)] if run_id is not None else store.runs(limit)
    except DatabaseError as exc:
        _fail(str(exc), 3)
    if run_id is not None and history[0] is None:
        _fail(f"no run {run_id} in {db_path}; `policycrawl runs` lists them", 2)
    if as_json:
        for run in history:
            click.echo(json.dumps(run, ensure_ascii=False))
    elif run_id is not None:
        run = history[0]
        result = CrawlResult(run["id"], run["exit_code"] if run["exit_code"] is not None else -1,
                             run_seconds(run) or 0.0, run["counts"], status=run["status"])
        for line in format_summary(result)[:-1]:
            click.echo(line)
        click.echo(f"run {run['id']}: {run['status']}, started {run['started_at']}, exit code {run['exit_code']}")
    else:
        for line in format_runs(history):
            click.echo(line)


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database file.")
@click.option("--port", default=8001, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (0.0.0.0 to publish).")
def serve(db_path, port, host) -> None:
    """Browse and search the database in datasette, with descriptions, facets and canned queries.

    Example: policycrawl serve --db data/policy.db --port 8001
    """
    from crawler.publish import PublishError
    from crawler.publish import serve as serve_datasette

    if "://" in db_path:
        from crawler.dialect import display

        _fail(f"datasette serves a SQLite file; build it first: policycrawl export --from {display(db_path)} "
              f"--to {DEFAULT_DB}", 2)
    try:
        serve_datasette(db_path, port=port, host=host)
    except PublishError as exc:
        _fail(str(exc), 3)


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database file.")
@click.option("--rebuild", is_flag=True, help="Regroup every article and re-consolidate every target from scratch.")
@click.option("--limit", default=10, show_default=True, help="How many stories with copies to list.")
def stories(db_path, rebuild, limit) -> None:
    """Syndicated copies grouped into stories; the same target across reports consolidated.

    Crawls keep both up to date as articles arrive; --rebuild redoes the whole database (after a change of
    the matching rules). Example: policycrawl stories --db data/policy.db --rebuild
    """
    from sqlalchemy import text

    from crawler.db import DatabaseError, open_database
    from crawler.dialect import is_sqlite
    from crawler.stories import largest_stories, rebuild_stories, story_stats

    if "://" not in db_path and not Path(db_path).exists():  # a postgresql:// URL is checked on opening
        _fail(f"{db_path} does not exist; crawl first (policycrawl crawl --sample) or pass --db", 3)
    try:
        engine = open_database(db_path)
    except DatabaseError as exc:
        _fail(str(exc), 3)
    sqlite = is_sqlite(engine)
    if rebuild and sqlite:
        from crawler.consolidate import rebuild_all
        from crawler.lock import CrawlLock, LockHeld

        try:  # one transaction for the whole regrouping (crawler/stories.py): no crawl writes meanwhile
            with CrawlLock(db_path):
                _stats, consolidation = rebuild_all(engine)
        except LockHeld as exc:
            _fail(f"{exc}; rebuild the stories once it is done", 4)
        click.echo(f"rebuilt: {consolidation.line()}")
    elif rebuild:  # PostgreSQL: stories here; consolidation is built by the SQLite export
        click.echo(f"rebuilt: {rebuild_stories(engine).line()}")
    with engine.connect() as conn:
        click.echo(story_stats(conn).line())
        if sqlite:
            consolidated, disagreements = conn.execute(text(
                "SELECT COUNT(*), COALESCE(SUM(disagreement), 0) FROM v_target_consensus")).one()
            click.echo(f"{consolidated} consolidated targets, {disagreements} with a disagreement between reports")
        else:
            click.echo("targets are consolidated in the SQLite export: policycrawl export --from DB_URL --to FILE")
        rows = largest_stories(conn, limit)
    for story_id, size, sites, names, title in rows:
        click.echo(f"story {story_id}: {size} copies on {sites} sites ({names}): {title}")


@main.command("eval-stories")
@click.option("--seeds", "seeds_dir", default=None, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Also score the seed texts in this folder with their derived copies (read there, not copied).")
def eval_stories_command(seeds_dir) -> None:
    """Precision and recall of story grouping on the labelled pairs (crawler/story_pairs.py).

    Example: policycrawl eval-stories --seeds ../shared/seeds
    """
    from crawler.story_pairs import evaluate

    _score, lines = evaluate(seeds_dir)
    for line in lines:
        click.echo(line)


@main.command()
@click.option("--frontier", required=True, metavar="REDIS_URL", help="The shared frontier, e.g. redis://10.0.0.5:6379/0.")
@click.option("--sites", default=None, help="Comma-separated registry names to seed (default: all enabled).")
@click.option("--sample", is_flag=True,
              help="Seed the bundled sample sites and serve them until the crawl is done (workers: crawl --sample).")
@click.option("--registry", "registry_path", default=None, help="Site registry YAML (default: the one shipped).")
@click.option("--force", is_flag=True, help="Reseed sites whose previous generation is still queued or in flight.")
def seed(frontier, sites, sample, registry_path, force) -> None:
    """Put the registry's start requests into the shared frontier: a new crawl generation for each site.

    A generation starts by forgetting which URLs the last one fetched (the site's dupefilter and seen sets in
    Redis), so tonight's workers read the list pages again. Then start any number of workers:
    `policycrawl crawl --frontier REDIS_URL --db postgresql://…`; each stops when the frontier has been empty
    for FRONTIER_IDLE_SECONDS.

    Example: policycrawl seed --frontier redis://127.0.0.1:6379/0 --sites govcn_policy_library,hunan
    """
    from crawler.crawl import EXIT_DATABASE, EXIT_USAGE, UsageError, registry_for, select_sites
    from crawler.frontier import Frontier, FrontierError

    names = [s.strip() for s in sites.split(",") if s.strip()] if sites else None
    try:
        frontier_ = Frontier(frontier)
        with registry_for(sample, registry_path) as registry:
            entries = select_sites(registry, names)
            if sample:
                frontier_.publish_sample_registry(registry)
            try:
                for entry in entries:
                    result = frontier_.seed(entry, force=force)
                    if result.skipped:
                        click.echo(f"{entry.name:<24} not reseeded: {result.skipped}")
                    else:
                        click.echo(f"{entry.name:<24} {result.requests} start request(s) queued")
                if sample:
                    _serve_sample_until_drained(frontier_, [e.name for e in entries])
            finally:
                if sample:
                    frontier_.withdraw_sample_registry()
    except UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
    except FrontierError as exc:
        _fail(str(exc), EXIT_DATABASE)


def _serve_sample_until_drained(frontier, sites: list[str]) -> None:
    click.echo(f"serving the sample sites; start workers with: policycrawl crawl --sample --frontier {frontier.url} "
               "--db postgresql://…   (Ctrl-C stops)")
    try:  # the frontier is empty only once the crawl is over: a request is in flight until its links are queued
        frontier.wait_drained(sites, idle_seconds=2,
                              report=lambda n: click.echo(f"{n} request(s) queued or in flight"))
    except KeyboardInterrupt:
        click.echo("stopped serving the sample sites")
        return
    click.echo("the frontier is drained; stopped serving the sample sites")


@main.command("export")
@click.option("--from", "source", required=True, metavar="DB_URL",
              help="The database to export, e.g. postgresql://crawler@10.0.0.5/policy.")
@click.option("--to", "target", default=DEFAULT_DB, show_default=True, help="The SQLite file to (re)build.")
def export_command(source, target) -> None:
    """Build the SQLite file datasette publishes from the shared PostgreSQL database of distributed crawls:
    every table copied, then the Chinese search index, stories and consolidated targets built on the SQLite side.
    The file is replaced at the end, never left half-written.

    Example: policycrawl export --from postgresql://postgres@127.0.0.1/policy --to data/policy.db
    """
    from crawler.db import DatabaseError
    from crawler.export import export_sqlite

    try:
        result = export_sqlite(source, target)
    except DatabaseError as exc:
        _fail(str(exc), 3)
    for line in result.lines():
        click.echo(line)


if __name__ == "__main__":
    main()
