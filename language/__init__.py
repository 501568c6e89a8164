"""The language rules the answerer and ingest share, each kind in one module.

- ``lexicon``: the word lists (function words, titles, organisation heads, demonyms, cue words);
- ``terms``: content-word stems and their weights;
- ``sentences``: sentences of a text and the flags that keep furniture out of answers;
- ``expressions``: what a sentence states: people, organisations, places, dates, amounts...;
- ``questions``: what a question asks for, and what it is about.

Every rule is general English news and government prose: nothing names an entity of a corpus.
This package imports nothing else of the project, so ``ingest`` and ``bot`` can both use it.
"""
