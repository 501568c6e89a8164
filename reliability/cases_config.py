"""Config cases: mistakes in config.toml, the environment and the store location."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from reliability.harness import Case, Observed, first_line, short_clear
from reliability.product import Workspace, require_command

G = "config"


def _config_case(
    ws: Workspace, cid: str, title: str, toml: str, expect_re: str, env: dict[str, str] | None = None
) -> Case:
    def run() -> Observed:
        path = ws.root / f"{cid}.toml"
        path.write_text(toml)
        # `serve` loads the config before anything else (the token is set, so only the config can fail).
        args = ["serve", "--config", str(path)]
        r = ws.geobot(*args, env={"DISCORD_TOKEN": "fake-token-for-config-case", **(env or {})}, timeout=120)
        out = r.output
        obs = Observed(f"exit {r.code}: {first_line(r.stderr or r.stdout)}")
        obs.checks.extend(short_clear(out))
        obs.check("exit 2 (config error)", r.code == 2, f"exit {r.code}")
        obs.check("names the problem", re.search(expect_re, out, re.I | re.S) is not None, expect_re)
        obs.check("one line", len([ln for ln in out.strip().splitlines() if ln.strip()]) <= 2)
        return obs

    return Case(f"config.{cid}", G, title, f"exit 2, one line matching /{expect_re}/", run)


def _store_path_case(ws: Workspace, cid: str, title: str, make_path: Callable[[], Path]) -> Case:
    def run() -> Observed:
        require_command("ingest")
        store = make_path()
        doc = ws.root / f"{cid}.txt"
        doc.write_text(
            "Shipping regulators met on Monday to review inspection rules for imported network gear.\n\n"
            "They agreed to publish a yearly summary of their findings and to review the rules in a year.\n"
        )
        r = ws.geobot("ingest", str(doc), env={"GEOBOT_VECTORSTORE__PATH": str(store)}, timeout=300)
        obs = Observed(f"exit {r.code}: {first_line(r.stderr or r.stdout)}")
        obs.checks.extend(short_clear(r.output, limit=600))
        obs.check("non-zero exit", r.code not in (0, None), f"exit {r.code}")
        obs.check(
            "names the store path or setting",
            re.search(r"vectorstore|store|path|writ|permission|read-only", r.output, re.I) is not None,
        )
        return obs

    return Case(f"config.{cid}", G, title, "non-zero exit, one line naming the store path, no traceback", run)


def _readonly_mount(ws: Workspace) -> Path:
    target = ws.root / "ro-mount"
    target.mkdir(exist_ok=True)
    # A read-only tmpfs: even root cannot write there (EROFS), unlike a chmod'ed folder.
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(target)], capture_output=True, check=False
    )
    if done.returncode != 0:
        return Path("/proc/geobot-store")
    ws.cleanups.append(lambda: subprocess.run(["umount", str(target)], check=False))
    return target / "store"


# Smoke mode (`make test`): a few config mistakes, each one cheap `geobot serve` that fails at load.
SMOKE = frozenset({"config.unknown_key", "config.wrong_type", "config.bad_toml", "config.missing_file"})


def cases(ws: Workspace, smoke: bool = False) -> list[Case]:
    return [c for c in _all_cases(ws) if not smoke or c.id in SMOKE]


def _all_cases(ws: Workspace) -> list[Case]:
    def file_as_dir() -> Path:
        blocker = ws.root / "store-is-a-file"
        blocker.write_text("not a folder\n")
        return blocker

    return [
        _config_case(
            ws,
            "unknown_key",
            "unknown key in a section",
            "[answer]\ntop_kk = 4\n",
            r"unknown setting 'answer\.top_kk'",
        ),
        _config_case(
            ws, "unknown_section", "unknown section", "[answerz]\ntop_k = 4\n", r"unknown setting 'answerz'"
        ),
        _config_case(
            ws, "wrong_type", "wrong type (string for an int)", '[answer]\ntop_k = "many"\n', r"answer\.top_k"
        ),
        _config_case(
            ws,
            "out_of_range",
            "value out of range",
            "[discord]\ncooldown_rate = 0\n",
            r"discord\.cooldown_rate",
        ),
        _config_case(
            ws, "bad_literal", "value not among the choices", '[llm]\nprovider = "skynet"\n', r"llm\.provider"
        ),
        _config_case(ws, "bad_toml", "file is not valid TOML", "[answer\ntop_k = 4\n", r"not valid TOML"),
        _missing_config_case(ws),
        _config_case(
            ws,
            "env_wrong_type",
            "environment override of the wrong type",
            "",
            r"environment.*answer\.top_k",
            env={"GEOBOT_ANSWER__TOP_K": "lots"},
        ),
        _store_path_case(ws, "store_is_file", "store path is a file, not a folder", file_as_dir),
        _store_path_case(
            ws, "store_read_only", "store path on a read-only filesystem", lambda: _readonly_mount(ws)
        ),
    ]


def _missing_config_case(ws: Workspace) -> Case:
    def run() -> Observed:
        r = ws.geobot(
            "serve",
            "--config",
            str(ws.root / "nope" / "config.toml"),
            env={"DISCORD_TOKEN": "fake-token-for-config-case"},
            timeout=120,
        )
        obs = Observed(f"exit {r.code}: {first_line(r.output)}")
        obs.checks.extend(short_clear(r.output))
        obs.check("exit 2 (config error)", r.code == 2, f"exit {r.code}")
        obs.check("names the missing file", "not found" in r.output and "config.toml" in r.output)
        return obs

    return Case(
        "config.missing_file", G, "--config names a missing file", "exit 2, 'config file ... not found'", run
    )
