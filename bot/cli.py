"""The `geobot` command line. Each command body loads settings and calls the library; the
errors our packages raise for users become one line in one place (``_Commands``)."""

from __future__ import annotations

import os
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
    config: ConfigOption = None,
) -> None:
    """Ingest articles (txt, md, html, csv, json/jsonl, folders, URLs) into the store."""
    settings, _ = setup(config)
    from ingest.console import RichProgress, print_report
    from ingest.pipeline import run_ingest
    from ingest.settings import IngestAppSettings

    app_settings = IngestAppSettings(
        vectorstore=settings.vectorstore,
        embedding=settings.embedding,
        ingest=settings.ingest,
        publishers=settings.publishers,
    )
    with RichProgress(err) as progress:
        report = run_ingest(sources, app_settings, dry_run=dry_run, progress=progress)
    print_report(report, Console())
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    config: ConfigOption = None,
) -> None:
    """Show how many articles and chunks the store holds, and their date range."""
    settings, _ = setup(config)
    import json

    from bot.cli_output import stats_table
    from vectorstore.store import build_store

    with build_store(settings.vectorstore) as store:
        figures = store.stats()
    if as_json:
        typer.echo(json.dumps(figures))
    else:
        Console().print(stats_table(figures))


@app.command()
def reindex(config: ConfigOption = None) -> None:
    """Rebuild the keyword index and the article catalog from the Chroma store."""
    settings, _ = setup(config)
    from vectorstore.store import build_store

    with build_store(settings.vectorstore) as store:
        done = store.reindex()
    Console().print(f"reindexed {done['chunks']} chunks of {done['articles']} articles")


def _answer_service(settings: Settings, secrets: Secrets) -> Any:
    """The answering core over a non-empty store."""
    from bot.answer.service import build_answer_service
    from vectorstore.store import build_store

    store = build_store(settings.vectorstore)
    if store.count() == 0:
        fail(f"the store at {settings.vectorstore.path} is empty: run `geobot ingest PATH` first")
    return build_answer_service(settings, secrets, store=store)


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
    service = _answer_service(settings, secrets)

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
    service = _answer_service(settings, secrets)

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
    config: ConfigOption = None,
) -> None:
    """List the stored articles (id, title, publisher with its label, date), or their publishers."""
    settings, _ = setup(config)
    import json

    from bot.answer.labels import Labeller
    from bot.cli_output import article_json, articles_table, publisher_json, publishers_table
    from bot.library_publishers import library_publishers
    from ingest.publishers import PublisherDirectory
    from vectorstore.store import build_store

    labeller = Labeller(PublisherDirectory.load(settings.publishers.profiles))
    with build_store(settings.vectorstore) as store:
        articles = store.list_articles(publisher=source)
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


def main() -> None:
    """The `geobot` script."""
    from bot.fast_exit import exit_without_teardown

    try:
        app()
    except SystemExit as exc:
        exit_without_teardown(exc)


if __name__ == "__main__":
    main()
