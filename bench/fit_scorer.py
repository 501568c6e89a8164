"""Fit the sentence scorer's weights on the tune half of the question sets.

    python -m bench.fit_scorer --data STORE QUESTIONS.json [QUESTIONS.json ...] [--data ...] [--write]

Each ``--data`` names a store and the question files about the corpus it holds, split into tune
and check halves as ``geobot eval`` splits them. For every answerable tune question (a follow-up
read in its conversation) the candidate sentences are scored by ``bot.answer.scoring``; the
sentences holding every answer keyword group (or, where none holds them all, the most groups,
at least half) are its answers. A conditional logit (a softmax over each question's sentences)
with an L2 penalty is fitted so that the answers come first: each question weighs the same,
whatever its number of sentences. The check half is only scored, never fitted. ``--write``
saves the weights to ``bot/answer/scorer_weights.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bot.answer.scoring import FEATURES, WEIGHTS_FILE, featurize
from bot.evaluation import GoldQuestion, keyword_share, load_question_files

L2 = 0.01
STEPS = 300


Example = tuple[np.ndarray, np.ndarray]  # one question: its sentences' features, which are answers


def examples(store: Path, questions: list[GoldQuestion]) -> list[Example]:
    """Per answerable question with an answer among its sentences: (features, positives)."""
    from bot.answer.candidates import candidates
    from bot.answer.followup import FollowupRewriter
    from bot.answer.service import build_answer_service
    from bot.answer.types import Question, Turn
    from bot.settings import Secrets, Settings
    from language.questions import analyse
    from language.terms import as_written
    from vectorstore.settings import VectorStoreSettings

    service = build_answer_service(Settings(vectorstore=VectorStoreSettings(path=store)), Secrets())
    out: list[Example] = []
    for gold in questions:
        if not gold.answerable:
            continue
        turns = tuple(Turn(q, service.ask(Question(q)).text) for q in gold.history)
        reading = FollowupRewriter().rewrite(Question(gold.question, history=turns))
        passages = service.retriever.with_following(service.retriever.retrieve(reading.query))
        found = candidates(passages)
        if not found:
            continue
        read = as_written(reading.text, [p.chunk.text for p in passages])
        featurize(analyse(read, reading.context), found, passages)
        shares = [keyword_share(c.text, gold.answer_keywords) for c in found]
        best = max(shares)
        if best < 0.5:
            continue
        positive = np.array([s >= best for s in shares])
        out.append((np.array([[c.features[f] for f in FEATURES] for c in found]), positive))
    return out


def fit(data: list[Example]) -> np.ndarray:
    """Conditional logit: the weights that make each question's answer sentences most likely among
    its sentences (a softmax per question), with an L2 penalty; by gradient descent."""
    beta = np.zeros(len(FEATURES))
    rate = 0.5
    for _ in range(STEPS):
        gradient = L2 * beta
        for x, positive in data:
            scores = x @ beta
            p = np.exp(scores - scores.max())
            p /= p.sum()
            q = np.where(positive, p, 0.0)
            q /= q.sum()
            gradient += (p - q) @ x / len(data)
        beta -= rate * gradient
    return beta


def first_positive_ranks(data: list[Example], beta: np.ndarray) -> list[int]:
    ranks = []
    for x, positive in data:
        order = np.argsort(-(x @ beta), kind="stable")
        ranks.append(int(np.flatnonzero(positive[order])[0]))
    return ranks


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data",
        nargs="+",
        action="append",
        required=True,
        metavar="STORE QUESTIONS.json",
        help="a store, then the question files about it",
    )
    parser.add_argument("--write", action="store_true", help=f"save the weights to {WEIGHTS_FILE}")
    args = parser.parse_args()
    tune: list[Example] = []
    check: list[Example] = []
    for store, *files in args.data:
        questions = load_question_files([Path(f) for f in files])
        tune += examples(Path(store), [q for q in questions if q.split == "tune"])
        check += examples(Path(store), [q for q in questions if q.split == "check"])
    beta = fit(tune)
    for name, data in (("tune", tune), ("check", check)):
        ranks = first_positive_ranks(data, beta)
        top1 = sum(r == 0 for r in ranks) / len(ranks)
        top2 = sum(r <= 1 for r in ranks) / len(ranks)
        print(
            f"{name}: {len(data)} questions with an answer sentence; "
            f"answer first {top1:.2f}, in the first two {top2:.2f}"
        )
    weights = {"bias": 0.0, "weights": {f: round(float(c), 4) for f, c in zip(FEATURES, beta, strict=True)}}
    print(json.dumps(weights, indent=2))
    if args.write:
        WEIGHTS_FILE.write_text(json.dumps(weights, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
