"""Quality on the dev questions, geotech-bot and the tutorial pipeline scored by one scorer.

Scores follow ../shared/eval/README.md. geotech-bot answers through ``AnswerService.ask`` in
its own process, written in the shape of `geobot ask --json`; its cited articles are mapped to
gold through their origins (CSV row or the seed file). The tutorial pipeline has no answer:
its top-4 chunks are scored for hit@4 (distinct articles among them), keyword accuracy of the
top chunk and of the four joined; it never abstains.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.common import PYTHON, check, run_timed

CSV_NAME = "articles.csv"
SEED_NAME = "seed_article.txt"


def load_questions(
    path: Path, limit: int | None = None, available: set[str] | None = None
) -> list[dict[str, Any]]:
    """The questions; with ``limit``, answerable ones whose gold is in ``available`` plus one unanswerable."""
    questions = json.loads(path.read_text(encoding="utf-8"))
    if limit:
        answerable = [q for q in questions if q["gold_docs"]]
        if available is not None:
            answerable = [q for q in answerable if gold_set(q) & available] or answerable
        unanswerable = [q for q in questions if not q["gold_docs"]][:1]
        questions = answerable[: max(limit - 1, 1)] + unanswerable
    return questions


def has_keywords(text: str, groups: Sequence[str]) -> bool:
    lowered = text.lower()
    return all(any(alt.strip().lower() in lowered for alt in group.split("|")) for group in groups)


def origin_doc(origin: Mapping[str, Any]) -> str | None:
    """The gold id of an origin: the CSV row as a string, 'seed', or None for other inputs."""
    path = str(origin.get("path") or "")
    if path.endswith(CSV_NAME) and origin.get("record") is not None:
        return str(origin["record"])
    if path.endswith(SEED_NAME):
        return "seed"
    return None


def gold_set(question: Mapping[str, Any]) -> set[str]:
    return {str(g) for g in question["gold_docs"]}


def score(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """rows: {question, docs: list[set[str]] (distinct articles in rank order), text, abstained}."""
    rows = list(rows)
    answerable = [r for r in rows if r["question"]["gold_docs"]]
    unanswerable = [r for r in rows if not r["question"]["gold_docs"]]
    answered = [r for r in answerable if not r["abstained"]]

    def hit(r: Mapping[str, Any]) -> bool:
        gold = gold_set(r["question"])
        return any(docs & gold for docs in r["docs"][:4])

    def cited(r: Mapping[str, Any]) -> bool:
        gold = gold_set(r["question"])
        return any(docs & gold for docs in r["docs"])

    def share(n: int, d: int) -> float | None:
        return n / d if d else None

    return {
        "questions": len(rows),
        "hit_at_4": share(sum(hit(r) for r in answerable if not r["abstained"]), len(answerable)),
        "keyword_accuracy": share(
            sum(has_keywords(r["text"], r["question"]["answer_keywords"]) for r in answered), len(answerable)
        ),
        "citation_hit": share(sum(cited(r) for r in answered), len(answered)),
        "abstention": share(sum(r["abstained"] for r in unanswerable), len(unanswerable)),
        "false_abstention": share(len(answerable) - len(answered), len(answerable)),
    }


def geobot_answers(questions: Sequence[Mapping[str, Any]], store: Path, work: Path) -> list[dict[str, Any]]:
    """The answers of `AnswerService.ask` (bench/probe.py, its own process) over the given store."""
    qfile = work / "questions.json"
    qfile.write_text(json.dumps([{"id": q["id"], "question": q["question"]} for q in questions]))
    out = work / "geobot_answers.jsonl"
    env = {"GEOBOT_VECTORSTORE__PATH": str(store)}
    cmd = [PYTHON, "-m", "bench.probe", "--questions", str(qfile), "--answers", str(out)]
    check(run_timed(cmd, env), "bench.probe --answers")
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]


def geobot_rows(
    questions: Sequence[Mapping[str, Any]], answers: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    by_id = {a["id"]: a for a in answers}
    rows = []
    for q in questions:
        a = by_id[q["id"]]
        docs: list[set[str]] = []
        seen: set[str] = set()
        for c in a.get("citations", []):
            if c["article_id"] in seen:
                continue
            seen.add(c["article_id"])
            docs.append({d for d in (origin_doc(o) for o in c.get("origin", [])) if d})
        rows.append({"question": q, "docs": docs, "text": a.get("answer", ""), "abstained": a["abstained"]})
    return rows


def tutorial_rows(questions: Sequence[Mapping[str, Any]], persist: Path) -> tuple[list[dict], list[dict]]:
    """Rows for the top chunk and for the top 4 chunks joined (same retrieval, two texts)."""
    from bench.tutorial_pipeline import open_store

    store = open_store(persist)
    top1, top4 = [], []
    for q in questions:
        hits = store.similarity_search(q["question"], k=4)
        docs: list[set[str]] = []
        for h in hits:
            doc = {str(h.metadata["doc"])}
            if doc not in docs:
                docs.append(doc)
        texts = [h.page_content for h in hits]
        top1.append({"question": q, "docs": docs, "text": texts[0] if texts else "", "abstained": False})
        top4.append({"question": q, "docs": docs, "text": "\n".join(texts), "abstained": False})
    return top1, top4


def run(
    questions_path: Path,
    geobot_store: Path,
    tutorial_store: Path,
    work: Path,
    limit: int | None,
    available: set[str] | None = None,
) -> dict[str, Any]:
    questions = load_questions(questions_path, limit, available)
    answers = geobot_answers(questions, geobot_store, work)
    top1, top4 = tutorial_rows(questions, tutorial_store)
    tutorial_top1 = score(top1)
    tutorial_top4 = score(top4)
    return {
        "questions_file": str(questions_path),
        "geobot": score(geobot_rows(questions, answers)),
        "tutorial": {
            "hit_at_4": tutorial_top1["hit_at_4"],
            "keyword_accuracy_top1": tutorial_top1["keyword_accuracy"],
            "keyword_accuracy_top4": tutorial_top4["keyword_accuracy"],
            "citation_hit": tutorial_top1["citation_hit"],
            "abstention": tutorial_top1["abstention"],
            "false_abstention": tutorial_top1["false_abstention"],
        },
    }
