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

DEFAULT_DB = "data/policy.db"


def _fail(message: str, code: int) -> None:
    click.echo(f"policycrawl: {message}", err=True)
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
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database file.")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="At most N detail pages per site.")
@click.option("--jobdir", default=None, help="Scrapy JOBDIR for pausing and resuming long crawls.")
@click.option("--log-file", default=None, help="Write the full log (INFO) to this file.")
@click.option("--registry", "registry_path", default=None, help="Site registry YAML (default: the one shipped).")
@click.option("-v", "--verbose", is_flag=True, help="Log INFO to the terminal.")
def crawl(sample, sites, db_path, max_pages, jobdir, log_file, registry_path, verbose) -> None:
    """Crawl the site registry (or the sample sites) and print a summary per site.

    Example: policycrawl crawl --sample --db data/policy.db
    """
    from crawler.crawl import EXIT_DATABASE, EXIT_USAGE, UsageError, format_summary, run_crawl
    from crawler.db import DatabaseError

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
        )
    except UsageError as exc:
        _fail(str(exc), EXIT_USAGE)
    except DatabaseError as exc:
        _fail(str(exc), EXIT_DATABASE)
    for line in format_summary(result):
        click.echo(line)
    for site, reason in sorted(result.failures.items()):
        click.echo(f"policycrawl: site {site} failed: {reason}", err=True)
    sys.exit(result.exit_code)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reference-date", default=None, help="Publication date YYYY-MM-DD for dates without a year.")
def extract(files, reference_date) -> None:
    """Facts (spec/FACTS.md) of plain-text or HTML files, one JSON object per line.

    Example: policycrawl extract ../shared/seeds/001_128a18f5b4bf6651.txt
    """
    from crawler.offline import facts_of_file

    ref = _date(reference_date)
    for path in files:
        click.echo(json.dumps(facts_of_file(path, ref).to_json(), ensure_ascii=False))


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
    from crawler.offline import read_text_file
    from extract.normalize import normalize_text

    click.echo(normalize_text(read_text_file(file)).text)


@main.command("eval")
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("text_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def eval_command(gold_dir, text_dir) -> None:
    """Score the fact extractor on labelled data (rules of spec/FACTS.md).

    Example: policycrawl eval ../shared/eval/seeds ../shared/seeds
    """
    from extract.scoring import evaluate_dir

    report = evaluate_dir(gold_dir, text_dir)
    for line in report.lines():
        click.echo(line)
    click.echo(report.last_line())


@main.command("eval-pages")
@click.argument("pages_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def eval_pages_command(pages_dir) -> None:
    """Score page understanding side by side with GNE and trafilatura on labelled real pages.

    Example: policycrawl eval-pages ../shared/eval/pages
    """
    from extract.page_scoring import evaluate_pages

    for line in evaluate_pages(pages_dir).lines():
        click.echo(line)


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database file.")
def reextract(db_path) -> None:
    """Re-run normalisation and fact extraction over every stored page, without the network.

    Example: policycrawl reextract --db data/policy.db
    """
    from crawler.db import DatabaseError
    from crawler.offline import reextract_all

    if not Path(db_path).exists():
        _fail(f"{db_path} does not exist; crawl first (policycrawl crawl --sample) or pass --db", 3)
    try:
        done, skipped, seconds = reextract_all(db_path)
    except DatabaseError as exc:
        _fail(str(exc), 3)
    rate = done / seconds if seconds else 0.0
    click.echo(f"re-extracted {done} articles ({skipped} skipped) in {seconds:.1f} s: {rate:.1f} articles/s")


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, help="SQLite database file.")
@click.option("--limit", default=20, show_default=True, help="How many runs to show, newest first.")
def runs(db_path, limit) -> None:
    """The history of crawl runs with their counts.

    Example: policycrawl runs --db data/policy.db --limit 5
    """
    from crawler.db import DatabaseError
    from crawler.store import Store

    if not Path(db_path).exists():
        _fail(f"{db_path} does not exist; crawl first (policycrawl crawl --sample) or pass --db", 3)
    try:
        history = Store(db_path).runs(limit)
    except DatabaseError as exc:
        _fail(str(exc), 3)
    click.echo(f"{'run':>4} {'started (UTC)':<26} {'status':<11} {'exit':>4} {'sites':>5} {'new':>5} {'upd':>5} {'same':>5} {'errors':>6}")
    for run in history:
        counts = run["counts"].values()
        total = {k: sum(c.get(k, 0) for c in counts) for k in ("new", "updated", "unchanged")}
        errors = sum(sum((c.get("errors") or {}).values()) for c in counts)
        exit_code = "" if run["exit_code"] is None else run["exit_code"]
        click.echo(
            f"{run['id']:>4} {run['started_at']:<26} {run['status']:<11} {exit_code!s:>4} {len(run['counts']):>5} "
            f"{total['new']:>5} {total['updated']:>5} {total['unchanged']:>5} {errors:>6}"
        )


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

    try:
        serve_datasette(db_path, port=port, host=host)
    except PublishError as exc:
        _fail(str(exc), 3)


if __name__ == "__main__":
    main()
