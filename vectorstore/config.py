"""Load a TOML config file into a pydantic model, with environment overrides.

Whatever reads the config (the ``geobot`` CLI and the bot it serves, tools that open the same
store) uses this one loader, so the rules are the same everywhere: ``config.toml`` in the
working directory if present (or the path given), the model's defaults otherwise, and
``GEOBOT_<SECTION>__<KEY>`` variables on top.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from vectorstore.errors import ConfigError

ENV_PREFIX = "GEOBOT_"
DEFAULT_CONFIG = Path("config.toml")

M = TypeVar("M", bound=BaseModel)


def _parse_env_value(raw: str) -> Any:
    # TOML literal syntax lets `[1, 2]`, `true` and `"x"` through typed; anything that is not
    # a TOML literal (a bare path, a word) is taken as a plain string.
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Collect ``GEOBOT_<SECTION>__<KEY>=value`` variables into nested sections."""
    out: dict[str, dict[str, Any]] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].partition("__")
        out.setdefault(section.lower(), {})[key.lower()] = _parse_env_value(raw)
    return out


def read_toml(path: Path | None) -> tuple[dict[str, Any], Path | None]:
    """Read the config file: the given path (must exist), else ./config.toml if present."""
    if path is None:
        if not DEFAULT_CONFIG.is_file():
            return {}, None
        path = DEFAULT_CONFIG
    if not path.is_file():
        raise ConfigError(f"config file {path} not found: pass an existing file to --config")
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh), path
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from exc


def _merge(base: dict[str, Any], top: dict[str, dict[str, Any]]) -> dict[str, Any]:
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
    for section, values in top.items():
        current = merged.get(section)
        merged[section] = {**(current if isinstance(current, dict) else {}), **values}
    return merged


def format_validation_error(exc: ValidationError, source: str) -> str:
    """One line: the first failing key and what it expects."""
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "(root)"
    if err["type"] == "extra_forbidden":
        return f"{source}: unknown setting '{key}': remove it or check its spelling"
    if err["type"] == "missing":
        return f"{source}: setting '{key}' is required"
    given = err.get("input")
    shown = f" (got {given!r})" if not isinstance(given, dict | list) else ""
    return f"{source}: setting '{key}': {err['msg']}{shown}"


def load_config(
    model: type[M],
    path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> M:
    """Build ``model`` from the TOML file and the environment; raise ConfigError on any mistake."""
    data, used = read_toml(path)
    env = os.environ if environ is None else environ
    overrides = env_overrides(env)
    known = set(model.model_fields)
    # Variables for sections this entry point does not know (e.g. [discord] seen by
    # IngestAppSettings) are not mistakes here; unknown sections in the file are.
    if model.model_config.get("extra") != "forbid":
        overrides = {s: v for s, v in overrides.items() if s in known}
    try:
        return model.model_validate(_merge(data, overrides))
    except ValidationError as exc:
        source = str(used) if used else "settings"
        if overrides:
            source += " (with GEOBOT_ environment overrides)"
        raise ConfigError(format_validation_error(exc, source)) from exc
