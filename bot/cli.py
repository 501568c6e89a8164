"""The `geobot` command line. Each command body loads settings and calls the library; the
errors our packages raise for users become one line in one place (``_Commands``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing, contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from bot.errors import BotError
from bot.settings import Secrets, Settings, load_settings
from ingest.errors import IngestError
from vectorstore.errors import ConfigError, VectorStoreError

if TYPE_CHECKING:
    from bot.evaluation import Split
    from bot.feeds import FeedService
    from vectorstore.libraries import Libraries

# Nothing in geotech-bot may download at run time; users who name a hub model and are
# online can set HF_HUB_OFFLINE=0 themselves.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# The project shows its own progress; Hugging Face's bars (the "Loading weights" of a model
# load) would print between its lines. Set before any Hugging Face import, and inherited by the
# ingest workers.
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

err = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="config file (default: ./config.toml, else built-in defaults)"),
]
ServerOption = Annotated[
    int | None,
    typer.Option(
        "--server",
        metavar="ID",
        min=1,
        help="a Discord server's library (its id): read what that server sees (the base library and "
        "its own), write its own; default: the base library",
    ),
]


def fail(message: str, code: int = 1) -> NoReturn:
    """A user mistake: one line on stderr, no traceback."""
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


# -v (1) or -q (-1) of the command being run; setup() hands it to the logging set-up.
_verbosity: ContextVar[int] = ContextVar("verbosity", default=0)


class _Commands(TyperGroup):
    """Every command runs through ``invoke``: with the global options' verbosity, and with an
    error of ours ending it as one line (exit status 2 for a wrong setting, 1 otherwise), so
    command bodies need no except blocks."""

    # ctx is typer's own (vendored) click Context, which typer does not export under that name.
    def invoke(self, ctx: Any) -> Any:
        token = _verbosity.set(int(ctx.params.get("verbose", 0)) - int(ctx.params.get("quiet", 0)))
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            fail(str(exc), code=2)
        except (BotError, IngestError, VectorStoreError) as exc:
            fail(str(exc))
        finally:
            _verbosity.reset(token)


app = typer.Typer(
    cls=_Commands,
    help="geotech-bot: answers geopolitics & technology questions from news articles, with citations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help texts are Markdown: as rich markup, the "[n]" of ask's help vanished (read as a tag).
    rich_markup_mode="markdown",
)


def setup(config: Path | None) -> tuple[Settings, Secrets]:
    """Load settings and secrets and configure logging: the first step of every command."""
    from bot.logs import configure_logging

    settings = load_settings(config)
    secrets = Secrets.from_env()
    configure_logging(
        settings.logging,
        [
            s.get_secret_value()
            for s in (secrets.discord_token, secrets.openai_api_key, secrets.anthropic_api_key)
            if s is not None
        ],
        verbosity=_verbosity.get(),
    )
    return settings, secrets


@app.callback()
def _root(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="also log what geotech-bot does (INFO), on stderr")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="log errors only")] = False,
) -> None:
    """geotech-bot: answers geopolitics & technology questions from news articles, with citations.

    Output is the command's own; logs go to stderr, from WARNING unless -v or -q (or [logging]
    level) says otherwise.
    """
    if verbose and quiet:
        raise typer.BadParameter("give -v or -q, not both")


@app.command()
def serve(config: ConfigOption = None) -> None:
    """Run the Discord bot (needs DISCORD_TOKEN in the environment or .env)."""
    settings, secrets = setup(config)
    if secrets.discord_token is None:
        fail(
            "DISCORD_TOKEN is not set: put DISCORD_TOKEN=<your bot token> in the environment or "
            "in a .env file (see README, 'Putting it in Discord')",
            code=2,
        )
    from bot.discord.runner import run_bot

    run_bot(settings, secrets)


@app.command()
def ingest(
    sources: Annotated[list[str], typer.Argument(metavar="PATH_OR_URL...", help="files, folders or URLs")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="show what would be stored, write nothing")
    ] = False,
    server: ServerOption = None,
    config: ConfigOption = None,
) -> None:
    """Ingest articles (txt, md, html, csv, json/jsonl, folders, URLs) into the store."""
    settings, _ = setup(config)
    from ingest.console import RichProgress, print_report
    from ingest.pipeline import run_ingest

    with _libraries(settings) as libraries, RichProgress(err) as progress:
        # The base library is opened by the pipeline itself: an unchanged corpus is then skipped
        # without loading Chroma.
        store = libraries.own(server) if server is not None else None
        report = run_ingest(sources, settings.ingest_app(), store=store, dry_run=dry_run, progress=progress)
    print_report(report, Console())
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    server: ServerOption = None,
    config: ConfigOption = None,
) -> None:
    """Show how many articles and chunks the store holds, and their date range."""
    settings, _ = setup(config)
    import json

    from bot.cli_output import stats_table

    with _libraries(settings) as libraries:
        figures = libraries.view(server).stats()
    if as_json:
        typer.echo(json.dumps(figures))
    else:
        Console().print(stats_table(figures))


@app.command()
def reindex(server: ServerOption = None, config: ConfigOption = None) -> None:
    """Rebuild the keyword index and the article catalog of a library from the Chroma store, and
    refresh sentence notes made by an earlier version."""
    settings, _ = setup(config)
    with _libraries(settings) as libraries:
        done = libraries.own(server).reindex()
    Console().print(f"reindexed {done['chunks']} chunks of {done['articles']} articles")


def _libraries(settings: Settings) -> Libraries:
    from vectorstore.libraries import Libraries

    return Libraries(settings.vectorstore)


def _answer_service(settings: Settings, secrets: Secrets, server: int | None) -> Any:
    """The answering core over what ``server`` sees, which must hold something."""
    from bot.answer.service import build_answer_service

    view = _libraries(settings).view(server)
    if view.count() == 0:
        fail(f"the store at {settings.vectorstore.path} is empty: run `geobot ingest PATH` first")
    return build_answer_service(settings, secrets, store=view)


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="the question, in quotes")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="only articles published on or after DATE (YYYY-MM-DD)")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="only articles published on or before DATE (YYYY-MM-DD)")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="only articles of this publisher")] = None,
    publisher_type: Annotated[
        list[str] | None,
        typer.Option(
            "--publisher-type",
            help="only sources of this publisher type, e.g. 'wire service'; 'not TYPE' leaves a type "
            "out (e.g. 'not state-affiliated media'); repeat for several",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="answer a JSON list of {id, question}: one JSON object per line"),
    ] = None,
    server: ServerOption = None,
    config: ConfigOption = None,
) -> None:
    """Answer a question from the stored articles, citing them: [n] after every sentence."""
    settings, secrets = setup(config)
    import json

    from bot.answer.types import Question
    from bot.cli_input import load_batch, parse_day, parse_publisher_types
    from bot.cli_output import answer_json, render_answer

    if (question is None) == (file is None):
        fail('give one QUESTION (e.g. geobot ask "Which countries ban Huawei?") or --file QUESTIONS.json')
    if question is not None and not question.strip():
        fail('the question is empty: ask something, e.g. geobot ask "Which countries ban Huawei?"')
    try:
        first, last = parse_day(since), parse_day(until, end=True)
        only, leave_out = parse_publisher_types(publisher_type or [])
    except ValueError as exc:
        fail(str(exc))
    items = load_batch(file) if file is not None else []
    if first and last and first > last:
        fail(f"--since {since} is after --until {until}")
    service = _answer_service(settings, secrets, server)

    def asked(text: str) -> Question:
        return Question(text, first, last, source, publisher_types=only, exclude_publisher_types=leave_out)

    if file is not None:
        for item in items:
            answer = service.ask(asked(item.question))
            typer.echo(json.dumps(answer_json(answer, item.id), ensure_ascii=False))
        return
    answer = service.ask(asked(question or ""))
    if as_json:
        typer.echo(json.dumps(answer_json(answer), ensure_ascii=False))
    else:
        Console().print(render_answer(answer))


@app.command()
def timeline(
    topic: Annotated[str, typer.Argument(help="what the timeline is about, in quotes")],
    since: Annotated[
        str | None, typer.Option("--since", help="only events on or after DATE (YYYY-MM-DD, YYYY-MM, YYYY)")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="only events on or before DATE (YYYY-MM-DD, YYYY-MM, YYYY)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    server: ServerOption = None,
    config: ConfigOption = None,
) -> None:
    """Dated events about a topic, oldest first, one line each with its citations [n]."""
    settings, _ = setup(config)
    import json

    from bot.answer.timeline import build_timeline_service
    from bot.cli_input import parse_day
    from bot.cli_output import render_timeline, timeline_json
    from vectorstore.embeddings import build_embedder

    try:
        first, last = parse_day(since), parse_day(until, end=True)
    except ValueError as exc:
        fail(str(exc))
    if first and last and first > last:
        fail(f"--since {since} is after --until {until}")
    view = _libraries(settings).view(server)
    if view.count() == 0:
        fail(f"the store at {settings.vectorstore.path} is empty: run `geobot ingest PATH` first")
    service = build_timeline_service(settings, view, build_embedder(settings.embedding, serving=True))
    found = service.timeline(topic, since=first, until=last)
    if found.problem:
        fail(found.problem)
    if as_json:
        typer.echo(json.dumps(timeline_json(found), ensure_ascii=False))
    else:
        Console().print(render_timeline(found))


@app.command(name="eval")
def evaluate(
    questions: Annotated[
        list[Path],
        typer.Argument(metavar="QUESTIONS.json...", help="gold questions (the format of dev_questions.json)"),
    ],
    split: Annotated[
        str | None,
        typer.Option(
            "--split",
            help="only the tune or the check half (the first of several files is all tune; "
            "otherwise odd-numbered ids are tune, even ones check)",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    server: ServerOption = None,
    config: ConfigOption = None,
) -> None:
    """Score answers against gold questions: every measure of the eval README, per half and type."""
    settings, secrets = setup(config)
    import json

    from bot.answer.types import Question
    from bot.cli_output import eval_json, eval_table
    from bot.errors import EvalFileError
    from bot.evaluation import Asked, load_question_files
    from bot.evaluation import evaluate as run_eval

    if split not in (None, "tune", "check"):
        fail(f"--split takes 'tune' or 'check', not {split!r}")
    half: Split | None = "tune" if split == "tune" else "check" if split == "check" else None
    try:
        gold = load_question_files(questions)
    except EvalFileError as exc:
        fail(str(exc))
    service = _answer_service(settings, secrets, server)

    def ask(question: Question) -> Asked:
        traced = service.ask_traced(question)
        return Asked(traced.answer, tuple(p.text for p in traced.passages))

    report = run_eval(gold, ask, service.retriever.index.list_articles())
    if as_json:
        typer.echo(json.dumps(eval_json(report.subset(half) if half else report), ensure_ascii=False))
    else:
        Console().print(eval_table(report, half))


@app.command()
def sources(
    source: Annotated[str | None, typer.Option("--source", help="only this publisher (any case)")] = None,
    publishers: Annotated[
        bool, typer.Option("--publishers", help="list the publishers instead, with labels and article counts")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON list")] = False,
    server: ServerOption = None,
    config: ConfigOption = None,
) -> None:
    """List the stored articles (id, title, publisher with its label, date), or their publishers."""
    settings, _ = setup(config)
    import json

    from bot.answer.labels import Labeller
    from bot.cli_output import article_json, articles_table, publisher_json, publishers_table
    from bot.library_publishers import library_publishers
    from ingest.publishers import PublisherDirectory

    labeller = Labeller(PublisherDirectory.load(settings.publishers.profiles))
    with _libraries(settings) as libraries:
        articles = libraries.view(server).list_articles(publisher=source)
    if publishers:
        rows = library_publishers(articles, labeller)
        if as_json:
            typer.echo(json.dumps([publisher_json(r) for r in rows], ensure_ascii=False))
        else:
            Console().print(publishers_table(rows))
    elif as_json:
        typer.echo(
            json.dumps([article_json(a, labeller.of_article(a)) for a in articles], ensure_ascii=False)
        )
    else:
        Console().print(articles_table([(a, labeller.of_article(a)) for a in articles]))


@app.command()
def remove(
    article: Annotated[str, typer.Argument(metavar="ARTICLE", help="the article's id or its address")],
    server: ServerOption = None,
    config: ConfigOption = None,
) -> None:
    """Remove an article from a library: its chunks, keyword entries, dedup and manifest records."""
    settings, _ = setup(config)
    from ingest.remove import remove_article

    with _libraries(settings) as libraries:
        library = libraries.existing(server)
        removed = remove_article(library, article) if library is not None else None
    if removed is None:
        where = "the base library" if server is None else f"the library of server {server}"
        fail(f"{where} has no article {article!r}: `geobot sources` lists them")
    Console().print(
        f"removed {escape(removed.title)} ({removed.id}, {removed.chunk_count} chunks)", highlight=False
    )


# Sub-commands run inside the root group's invoke, which turns our errors into one line.
feeds_app = typer.Typer(
    help="Feeds a library follows: polled by `geobot serve`, their new articles ingested, with digests.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(feeds_app, name="feeds")


@contextmanager
def _feed_service(settings: Settings) -> Iterator[FeedService]:
    """The feeds of every library, over the records and libraries it opens (and closes)."""
    import threading
    from functools import cache

    from bot.feeds import FeedRegistry, FeedService
    from bot.records import Records
    from vectorstore.embeddings import build_embedder

    records = Records(settings.records.db)
    # The model loads only when a poll has articles to embed, once for every feed polled.
    embedder = cache(lambda: build_embedder(settings.embedding))
    try:
        with _libraries(settings) as libraries:
            yield FeedService(
                FeedRegistry(records, settings.feeds), libraries, settings, embedder, threading.Lock()
            )
    finally:
        records.close()


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="the address of an RSS or Atom feed")],
    channel: Annotated[
        int | None, typer.Option("--channel", metavar="ID", help="the Discord channel its digests go to")
    ] = None,
    server: ServerOption = None,
    config: ConfigOption = None,
) -> None:
    """Follow a feed: read it now (through the URL guard), poll it from `geobot serve`."""
    settings, _ = setup(config)
    with _feed_service(settings) as feeds:
        feed = feeds.follow(server, url, channel)
    Console().print(
        f"following {escape(feed.name)} <{feed.url}>; first poll at the next tick of geobot serve"
    )


@feeds_app.command("list")
def feeds_list(server: ServerOption = None, config: ConfigOption = None) -> None:
    """The feeds a library follows, numbered, with how each is doing."""
    settings, _ = setup(config)
    from bot.feeds import status_line

    with _feed_service(settings) as service:
        feeds = service.registry.following(server)
        now = service.registry.clock()
    for n, feed in enumerate(feeds, start=1):
        where = f" -> channel {feed.channel_id}" if feed.channel_id else ""
        typer.echo(f"{n}. {feed.name} <{feed.url}>{where}\n   {status_line(feed, now)}")
    if not feeds:
        typer.echo("no feeds followed: `geobot feeds add URL` follows one")


@feeds_app.command("remove")
def feeds_remove(
    feed: Annotated[
        str, typer.Argument(metavar="FEED", help="its number in `geobot feeds list`, or its address")
    ],
    server: ServerOption = None,
    config: ConfigOption = None,
) -> None:
    """Stop following a feed (the articles it brought stay in the library)."""
    settings, _ = setup(config)
    with _feed_service(settings) as service:
        removed = service.registry.remove(server, feed)
    if removed is None:
        fail(f"no followed feed {feed!r}: `geobot feeds list` shows them")
    typer.echo(f"no longer following {removed.name} <{removed.url}>")


@feeds_app.command("run-once")
def feeds_run_once(
    every: Annotated[bool, typer.Option("--all", help="every library's feeds, not one library's")] = False,
    server: ServerOption = None,
    config: ConfigOption = None,
) -> None:
    """Poll every feed of a library once, now, and print what each brought (a running
    `geobot serve` posts the digests)."""
    settings, _ = setup(config)
    from bot.digest import digest_text, new_articles

    with _feed_service(settings) as service:
        feeds = service.registry.all() if every else service.registry.following(server)
        failed = False
        for feed in feeds:
            outcome = service.poll(feed)
            if outcome.error is not None:
                failed = True
                typer.echo(f"{feed.name}: failed: {outcome.error}")
            elif outcome.digest is not None:
                lines = outcome.digest.lines
                typer.echo(digest_text(f"{outcome.feed.name}: {new_articles(len(lines))}", lines))
            else:
                typer.echo(f"{outcome.feed.name}: {'nothing new' if outcome.changed else 'not modified'}")
    if failed:
        raise typer.Exit(1)


@app.command()
def digest(
    since: Annotated[
        str, typer.Option("--since", help="how far back: 1d, 12h, 30m, 2w or a date (YYYY-MM-DD)")
    ] = "1d",
    server: ServerOption = None,
    config: ConfigOption = None,
) -> None:
    """The digests of a library's feeds since a time: each new article once, copies collapsed."""
    settings, _ = setup(config)
    from bot.cli_input import parse_moment
    from bot.digest import digest_text, new_articles

    try:
        cutoff = parse_moment(since)
    except ValueError as exc:
        fail(str(exc))
    with _feed_service(settings) as service:
        found = service.registry.since(cutoff, server)
    for feed, lines in found:
        typer.echo(digest_text(f"{feed.name} <{feed.url}>: {new_articles(len(lines))}", lines))
    if not found:
        typer.echo(f"no new articles from followed feeds since {cutoff:%Y-%m-%d %H:%M} UTC")


answers_app = typer.Typer(help="Answers posted on Discord, kept with their feedback.", no_args_is_help=True)
app.add_typer(answers_app, name="answers")


@answers_app.command("prune")
def answers_prune(
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="older than this (default: [answers] retention_days)")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Delete the answers (with their feedback) and feed digests kept longer than the retention."""
    settings, _ = setup(config)
    from bot.answer_log import AnswerLog
    from bot.records import Records

    keep = days or settings.answers.retention_days
    if keep == 0:
        typer.echo("nothing deleted: [answers] retention_days = 0 keeps every answer")
        return
    with closing(Records(settings.records.db)) as records:
        gone = AnswerLog(records).prune(keep)
    typer.echo(f"deleted {gone['answers']} answers and {gone['digests']} digests older than {keep} days")


def main() -> None:
    """The `geobot` script."""
    from bot.fast_exit import exit_without_teardown

    try:
        app()
    except SystemExit as exc:
        exit_without_teardown(exc)


if __name__ == "__main__":
    main()
