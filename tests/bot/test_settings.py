"""config.toml documents every setting; mistakes are one line and exit status 2."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.settings import Secrets, Settings, load_settings
from tests.conftest import REPO
from vectorstore.errors import ConfigError


def _fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, type[BaseModel], str]]:
    out = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out.extend(_fields(ann, f"{prefix}{name}."))
        else:
            out.append((prefix.rstrip("."), model, name))
    return out


def _section_text(text: str, section: str) -> str:
    lines = text.splitlines()
    start = lines.index(f"[{section}]")
    body = []
    for line in lines[start + 1 :]:
        if line.startswith("["):
            break
        body.append(line)
    return "\n".join(body)


def test_every_setting_is_documented_in_config_toml() -> None:
    text = (REPO / "config.toml").read_text()
    for section, model, name in _fields(Settings):
        body = _section_text(text, section)
        lines = body.splitlines()
        matches = [i for i, ln in enumerate(lines) if ln.lstrip("# ").startswith(f"{name} =")]
        assert matches, f"[{section}] {name} is not in config.toml"
        above = lines[matches[0] - 1] if matches[0] > 0 else ""
        assert above.startswith("# "), f"[{section}] {name} has no comment line above it"
        assert model.model_fields[name].description, f"{section}.{name} has no help text"


def test_config_toml_values_are_the_defaults() -> None:
    with (REPO / "config.toml").open("rb") as fh:
        data = tomllib.load(fh)
    assert Settings.model_validate(data) == Settings()


def test_env_override_wins_over_file(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[vectorstore]\npath = "from-file"\n[answer]\ntop_k = 5\n')
    env = {"GEOBOT_VECTORSTORE__PATH": "/tmp/elsewhere", "GEOBOT_DISCORD__GUILD_IDS": "[1, 2]"}
    settings = load_settings(cfg, env)
    assert settings.vectorstore.path == Path("/tmp/elsewhere")
    assert settings.answer.top_k == 5
    assert settings.discord.guild_ids == [1, 2]


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("[answer]\ntopk = 3\n", "unknown setting 'answer.topk'"),
        ("[answer]\ntop_k = 'many'\n", "setting 'answer.top_k'"),
        ("[nonsense]\nx = 1\n", "unknown setting 'nonsense'"),
        ("[vectorstore]\nmode = 'cloud'\n", "setting 'vectorstore.mode'"),
        ("[answer\n", "not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path: Path, toml: str, expected: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, {})
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", {})


def test_cli_bad_config_exits_2_without_traceback(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[discord]\ncooldown_seconds = 'soon'\n")
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--config", str(cfg)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert proc.returncode == 2
    assert "discord.cooldown_seconds" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_secrets_come_from_env_and_dotenv_not_config(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("DISCORD_TOKEN=from-dotenv-token\nOPENAI_API_KEY=sk-dotenv\n")
    secrets = Secrets.from_env({"OPENAI_API_KEY": "sk-environment"}, dotenv)
    assert secrets.discord_token is not None
    assert secrets.discord_token.get_secret_value() == "from-dotenv-token"
    assert secrets.openai_api_key is not None
    assert secrets.openai_api_key.get_secret_value() == "sk-environment"
    assert "from-dotenv-token" not in repr(secrets)
    cfg = tmp_path / "c.toml"
    cfg.write_text('[discord]\ntoken = "abc"\n')
    with pytest.raises(ConfigError, match=r"unknown setting 'discord\.token'"):
        load_settings(cfg, {})


def test_serve_without_token_says_how_to_set_it() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "HOME": str(REPO)},
    )
    assert proc.returncode == 2
    assert "DISCORD_TOKEN" in proc.stderr
    assert ".env" in proc.stderr
