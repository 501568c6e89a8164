"""An int8 build of a plain BERT sentence encoder for onnxruntime, made once per model and cached.

Why onnxruntime and int8: on a CPU without native bf16 (AVX2 only) int8 is the one way to run the
encoder's matrix products markedly faster than float32, and it beats bf16 where the CPU has it
natively too (an AVX512-BF16 EPYC embedded the corpus at ~100 chunks/s against ~65).
onnxruntime's fused BERT operators (attention, bias + GELU) with its int8 kernels ran the corpus'
chunks 1.15-1.4x faster than torch's fbgemm int8 on one core (this build: 1.8x torch float32 on 2
threads on the AVX2 host, ``make bench``), in a process that starts in ~0.6 s instead of ~3.5 s
(no torch import: each ingest worker pays that).

The build, with onnxruntime's own tools: export the model with torch (transformers' BertModel),
fuse it with onnxruntime's transformer optimizer, smooth it (below), quantize it with
``quantize_dynamic``. Plain dynamic int8 on every layer lost too much: cosine to the float32
vectors fell to 0.989 (0.966 in torch, where dev retrieval dropped). Two things make it hold:

* SmoothQuant scaling (Xiao et al., 2023): a few input channels of each layer carry values ~14x
  the rest, which sets the int8 step for the whole tensor. Dividing each input channel by
  ``s = act_max**alpha / weight_max**(1 - alpha)`` and multiplying the weight's row by the same
  ``s`` leaves the product unchanged and evens the ranges out. ``act_max`` comes from running the
  float32 model on fixed passages (``calibration.py``).
* The feed-forward output projection reads GELU output, whose largest values sit in one token:
  [CLS], the first, in layers 0-3 (~8x the largest of any other token on corpus passages). One
  int8 range per tensor would be set by that row, so the first token's row is multiplied in
  float32 and the other rows in int8. Int8 over all rows cost more accuracy than
  every other layer together (cosine min 0.89 in torch; still 0.988 with 128 outlier channels kept
  in float32, 0.992 with one range per token).

Measured on the shared corpus' 522 chunks: cosine to float32 min 0.995, mean 0.998 (0.998 / 0.999
with the feed-forward output all float32, as before; that build took ~10 % more time). What the
vectors are for is unchanged: with questions embedded in float32 (as serving does), 546 queries
(the 30 dev questions, and a sentence of each chunk looked up among all chunks) found the chunk
they came from at rank 1 for 42.8 % (float32 vectors: 42.2 %), mean reciprocal rank 0.545 (0.541).

One fusion is left out on purpose: onnxruntime's SkipLayerNormalization (residual add + bias +
layer norm in one operator) took 0.48 ms per call on a 175-token chunk here, where the plain
Add + LayerNormalization it replaces take 0.14 ms; twelve per chunk, ~6 % of the encoder's time.
Neither the build's optimizer nor the session (``session``) fuses it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import logging
import os
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from onnx import ModelProto, NodeProto
    from onnxruntime import InferenceSession

logger = logging.getLogger(__name__)

# Bump when the build changes, so caches made by an older build are not used.
BUILD = 3
# SmoothQuant's migration strength. With q, k and v sharing one scale (onnxruntime fuses them
# into one attention operator), cosine min to float32 over 120 corpus chunks was 0.9983 at 0.5
# and 0.9974 at 0.8.
ALPHA = 0.5
# The graph's input and output names (what ``onnx_bert.OnnxBertEncoder`` feeds and reads).
INPUTS = ("input_ids", "attention_mask")
OUTPUT = "last_hidden_state"


def int8_supported() -> bool:
    """Whether onnxruntime (which runs the int8 build) is installed."""
    return importlib.util.find_spec("onnxruntime") is not None


def model_path(folder: Path, cache_dir: Path) -> Path:
    """Where the int8 build of the model in ``folder`` is kept."""
    return cache_dir.expanduser() / f"{_prefix(folder)}{_key(folder)}.onnx"


def _prefix(folder: Path) -> str:
    """What every build of the model in ``folder`` is named with, whatever its key."""
    return f"{folder.name}-int8-"


def cached_model(folder: Path, cache_dir: Path) -> Path:
    """The int8 build of the model in ``folder``, made first if ``cache_dir`` lacks it.

    Concurrent processes (the ingest workers) wait for one build; a build killed half-way leaves
    only a temporary file, never a partial model under the final name, and the next build
    removes it.
    """
    path = model_path(folder, cache_dir)
    if path.is_file():
        _mark_used(path)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock(path.with_suffix(".lock")):
        if not path.is_file():
            for stale in path.parent.glob(path.name + ".*.tmp"):  # from builds that were killed
                stale.unlink(missing_ok=True)
            logger.info("building the int8 model for onnxruntime once (cached as %s)", path)
            model = build(folder)
            import onnx

            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            try:
                onnx.save(model, str(tmp))
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
            _prune(path, _prefix(folder))
    return path


# A build unused this long is removed when another build of the same model is made: each new
# onnxruntime, build version or install folder makes a new ~70 MB file, and nothing else would
# ever delete the old ones. One still in use elsewhere is rebuilt there on its next ingest.
UNUSED_DAYS = 30


def _mark_used(path: Path) -> None:
    """Stamp the build as used now (its age is what ``_prune`` goes by)."""
    with contextlib.suppress(OSError):  # a read-only cache is still usable
        os.utime(path)


def _prune(kept: Path, prefix: str) -> None:
    """Remove the other builds named ``prefix...`` unused for ``UNUSED_DAYS``, with their locks."""
    cutoff = time.time() - UNUSED_DAYS * 86400
    for old in kept.parent.glob(prefix + "*.onnx"):
        with contextlib.suppress(OSError):  # gone already, or not ours to delete
            if old != kept and old.stat().st_mtime < cutoff:
                old.unlink()
                old.with_suffix(".lock").unlink(missing_ok=True)
                logger.info("removed an int8 build unused for %d days: %s", UNUSED_DAYS, old.name)


def build(folder: Path) -> ModelProto:
    """Export, fuse, smooth and quantize the plain BERT model in ``folder``."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        exported = Path(tmp) / "float32.onnx"
        _export(folder, exported)
        fused = _fuse(exported, int(config["num_attention_heads"]), int(config["hidden_size"]))
        if len([n for n in fused.graph.node if n.op_type == "Attention"]) != config["num_hidden_layers"]:
            raise RuntimeError("onnxruntime's optimizer did not fuse every attention layer")
        if len(_feed_forward_outputs(fused)) != config["num_hidden_layers"]:
            raise RuntimeError("onnxruntime's optimizer did not fuse every feed-forward GELU")
        _split_first_token(fused)
        quantized = _smooth(fused, folder)
        out = Path(tmp) / "int8.onnx"
        with warnings.catch_warnings(), _root_logger_warnings_dropped():
            warnings.simplefilter("ignore")
            quantize_dynamic(
                fused,
                out,
                per_channel=True,
                # 7-bit weights: the AVX2 kernel sums pairs of u8 x s8 products in int16, which
                # full 8-bit weights can overflow.
                reduce_range=True,
                weight_type=QuantType.QInt8,
                nodes_to_quantize=quantized,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
        return onnx.load(str(out))


@contextlib.contextmanager
def _root_logger_warnings_dropped() -> Iterator[None]:
    """Drop what is logged on the root logger below ERROR (others' loggers are untouched).

    onnxruntime's quantizer warns there, on every build, that the model was not run through its
    pre-processing (shape inference and graph optimisation) first; the model has been through
    its transformer optimizer (``_fuse``) and the result is checked (module docstring), so the
    line would only break into the user's progress display, on the first ingest.
    """
    root = logging.getLogger()

    def errors_only(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR

    root.addFilter(errors_only)
    try:
        yield
    finally:
        root.removeFilter(errors_only)


def _key(folder: Path) -> str:
    """Names the build: the model's files (by size and time), this build and onnxruntime."""
    import onnxruntime

    files = sorted(p for p in folder.rglob("*") if p.is_file())
    stamp = [(str(p.relative_to(folder)), p.stat().st_size, p.stat().st_mtime_ns) for p in files]
    data = json.dumps([str(folder.resolve()), stamp, BUILD, ALPHA, onnxruntime.__version__])
    return hashlib.sha256(data.encode()).hexdigest()[:16]


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _export(folder: Path, out: Path) -> None:
    import torch
    from transformers import BertModel

    class LastHidden(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    # Eager attention: the pattern onnxruntime's optimizer fuses into its attention operator.
    model = BertModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    sample = torch.ones((1, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes, which axes make dynamic
        torch.onnx.export(
            LastHidden(model),
            (sample, sample),
            str(out),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes={INPUTS[0]: axes, INPUTS[1]: axes, OUTPUT: axes},
            opset_version=17,
            dynamo=False,
        )


# The session optimizer that would fuse the slow operator (module docstring) back in.
_SLOW_FUSION = "SkipLayerNormFusion"


def session(path: Path, threads: int) -> InferenceSession:
    """An onnxruntime session for the build at ``path``; ``threads`` 0 is one per core."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(
        str(path), options, providers=["CPUExecutionProvider"], disabled_optimizers=[_SLOW_FUSION]
    )


def _fuse(path: Path, heads: int, hidden: int) -> ModelProto:
    from onnxruntime.transformers import optimizer
    from onnxruntime.transformers.fusion_options import FusionOptions

    options = FusionOptions("bert")
    options.enable_skip_layer_norm = options.enable_bias_skip_layer_norm = False
    return optimizer.optimize_model(
        str(path),
        model_type="bert",
        num_heads=heads,
        hidden_size=hidden,
        opt_level=1,
        optimization_options=options,
    ).model


# Name ending of the float32 product of the first token's row (see the module docstring).
_FIRST_TOKEN = ".first_token"  # noqa: S105 - a node name


def _feed_forward_outputs(model: ModelProto) -> list[NodeProto]:
    """The feed-forward output projections: products with a weight that read GELU's output."""
    weights = {t.name for t in model.graph.initializer}
    producer = {out: node for node in model.graph.node for out in node.output}
    return [
        node
        for node in model.graph.node
        if node.op_type == "MatMul"
        and node.input[1] in weights
        and getattr(producer.get(node.input[0]), "op_type", None) == "BiasGelu"
    ]


def _split_first_token(model: ModelProto) -> None:
    """Each feed-forward output projection becomes a float32 product of the first token's row and
    a product of the other rows (to quantize, with its own copy of the weight), concatenated."""
    from onnx import helper, numpy_helper

    graph = model.graph
    weights = {t.name: t for t in graph.initializer}
    graph.initializer.extend(
        numpy_helper.from_array(np.array([v], dtype=np.int64), name)
        for name, v in (("split.zero", 0), ("split.one", 1), ("split.end", np.iinfo(np.int64).max))
    )
    for node in _feed_forward_outputs(model):
        (x, weight), (y,), name = node.input, node.output, node.name
        copy = numpy_helper.from_array(numpy_helper.to_array(weights[weight]), f"{weight}.other_tokens")
        graph.initializer.append(copy)
        graph.node.remove(node)
        graph.node.extend(
            [
                helper.make_node("Slice", [x, "split.zero", "split.one", "split.one"], [f"{name}.x0"]),
                helper.make_node("Slice", [x, "split.one", "split.end", "split.one"], [f"{name}.xs"]),
                helper.make_node("MatMul", [f"{name}.x0", weight], [f"{name}.y0"], name=name + _FIRST_TOKEN),
                helper.make_node("MatMul", [f"{name}.xs", copy.name], [f"{name}.ys"], name=f"{name}.others"),
                helper.make_node("Concat", [f"{name}.y0", f"{name}.ys"], [y], axis=1),
            ]
        )
    from onnxruntime.transformers.onnx_model import OnnxModel

    OnnxModel(model).topological_sort()


def _smooth(model: ModelProto, folder: Path) -> list[str]:
    """Apply SmoothQuant to the layers to quantize (in place); their node names."""
    import onnx
    from onnx import helper, numpy_helper
    from onnxruntime.transformers.onnx_model import OnnxModel

    graph = OnnxModel(model)
    weights = {t.name: t for t in model.graph.initializer}
    layers = [
        node
        for node in model.graph.node
        if node.op_type == "Attention"
        or (node.op_type == "MatMul" and node.input[1] in weights and not node.name.endswith(_FIRST_TOKEN))
    ]
    act_max = _input_ranges(model, folder, sorted({n.input[0] for n in layers}))
    for k, node in enumerate(layers):
        weight = numpy_helper.to_array(weights[node.input[1]]).astype(np.float32)  # in x out
        scale = np.clip(act_max[node.input[0]], 1e-5, None) ** ALPHA / np.clip(
            np.abs(weight).max(1), 1e-5, None
        ) ** (1 - ALPHA)
        weights[node.input[1]].CopyFrom(numpy_helper.from_array(weight * scale[:, None], node.input[1]))
        inverse = numpy_helper.from_array((1 / scale).astype(np.float32), f"smooth_{k}.inverse_scale")
        graph.add_initializer(inverse)
        mul = helper.make_node("Mul", [node.input[0], inverse.name], [f"smooth_{k}.out"], name=f"smooth_{k}")
        node.input[0] = mul.output[0]
        graph.add_node(mul)
    graph.topological_sort()
    onnx.checker.check_model(model)
    return [n.name for n in layers]


def _input_ranges(model: ModelProto, folder: Path, names: list[str]) -> dict[str, np.ndarray]:
    """Largest |value| per channel of each tensor in ``names``, over the calibration passages."""
    import onnx
    import onnxruntime
    from onnx import helper

    from vectorstore.bert import max_tokens, tokenizers
    from vectorstore.calibration import CALIBRATION_PASSAGES

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    probe.graph.output.extend(helper.make_tensor_value_info(n, onnx.TensorProto.FLOAT, None) for n in names)
    session = onnxruntime.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    tokenizer, _ = tokenizers(folder, max_tokens(folder))
    ranges: dict[str, np.ndarray] = {}
    for passage in CALIBRATION_PASSAGES:
        ids = np.asarray([tokenizer.encode(passage).ids], dtype=np.int64)
        outputs = session.run(names, {INPUTS[0]: ids, INPUTS[1]: np.ones_like(ids)})
        for name, value in zip(names, outputs, strict=True):
            seen = np.abs(value.reshape(-1, value.shape[-1])).max(0)
            ranges[name] = np.maximum(ranges[name], seen) if name in ranges else seen
    return ranges
