"""Discord's validation of message and application-command payloads, with Discord's error JSON.

Rules follow discord.com/developers/docs (Message: Create Message and the Embed limits;
Application Commands: naming and option rules). An invalid payload answers 400 with
``{"code": 50035, "message": "Invalid Form Body", "errors": {...}}`` like the real API.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

Errors = dict[str, Any]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
COMMAND_NAME = re.compile(r"[-_'\w]{1,32}")
CHAT_INPUT_MAX = 100
OPTION_TYPES = range(1, 12)


def _err(code: str, message: str) -> Errors:
    return {"_errors": [{"code": code, "message": message}]}


def _too_long(limit: int) -> Errors:
    return _err("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _bad_length(minimum: int, maximum: int) -> Errors:
    return _err("BASE_TYPE_BAD_LENGTH", f"Must be between {minimum} and {maximum} in length.")


def _required() -> Errors:
    return _err("BASE_TYPE_REQUIRED", "This field is required")


def _merge(target: Errors, path: list[str], error: Errors) -> None:
    node = target
    for key in path:
        node = node.setdefault(key, {})
    node.setdefault("_errors", []).extend(error["_errors"])


def invalid_form_body(errors: Errors) -> dict[str, Any]:
    return {"code": 50035, "message": "Invalid Form Body", "errors": errors}


def _check_text(errors: Errors, path: list[str], value: Any, maximum: int, minimum: int = 0) -> None:
    if value is None:
        if minimum:
            _merge(errors, path, _required())
        return
    if not isinstance(value, str):
        _merge(errors, path, _err("BASE_TYPE_STRING", "Must be a string."))
    elif not minimum <= len(value) <= maximum:
        _merge(errors, path, _too_long(maximum) if len(value) > maximum else _bad_length(minimum, maximum))


def _check_url(errors: Errors, path: list[str], value: Any) -> None:
    if value is None:
        return
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https", "attachment") or not parts.netloc or " " in str(value):
        _merge(errors, path, _err("URL_TYPE_INVALID_URL", "Not a well formed URL."))


def embed_size(embed: dict[str, Any]) -> int:
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    for f in embed.get("fields") or []:
        size += len(f.get("name") or "") + len(f.get("value") or "")
    return size


def _check_embed(errors: Errors, path: list[str], embed: dict[str, Any]) -> None:
    _check_text(errors, [*path, "title"], embed.get("title"), 256)
    _check_text(errors, [*path, "description"], embed.get("description"), 4096)
    _check_url(errors, [*path, "url"], embed.get("url"))
    colour = embed.get("color")
    if colour is not None and not (isinstance(colour, int) and 0 <= colour <= 0xFFFFFF):
        _merge(errors, [*path, "color"], _err("NUMBER_TYPE_MAX", "int value should be <= 16777215."))
    if "footer" in embed:
        _check_text(errors, [*path, "footer", "text"], (embed["footer"] or {}).get("text"), 2048, 1)
    if "author" in embed:
        _check_text(errors, [*path, "author", "name"], (embed["author"] or {}).get("name"), 256, 1)
    fields = embed.get("fields") or []
    if len(fields) > 25:
        _merge(errors, [*path, "fields"], _too_long(25))
    for i, f in enumerate(fields):
        _check_text(errors, [*path, "fields", str(i), "name"], f.get("name"), 256, 1)
        _check_text(errors, [*path, "fields", str(i), "value"], f.get("value"), 1024, 1)


def _check_components(errors: Errors, rows: list[dict[str, Any]]) -> None:
    if len(rows) > 5:
        _merge(errors, ["components"], _too_long(5))
    seen: set[str] = set()
    for r, row in enumerate(rows):
        path = ["components", str(r)]
        if row.get("type") != 1:
            _merge(
                errors, [*path, "type"], _err("COMPONENT_LAYOUT_INVALID", "Top-level must be an action row.")
            )
            continue
        children = row.get("components") or []
        if not 1 <= len(children) <= 5:
            _merge(errors, [*path, "components"], _bad_length(1, 5))
        for c, child in enumerate(children):
            cpath = [*path, "components", str(c)]
            _check_text(errors, [*cpath, "label"], child.get("label"), 80)
            if child.get("type") == 2 and child.get("style") == 5:
                _check_url(errors, [*cpath, "url"], child.get("url"))
                continue
            custom_id = child.get("custom_id")
            _check_text(errors, [*cpath, "custom_id"], custom_id, 100, 1)
            if custom_id in seen:
                _merge(errors, [*cpath, "custom_id"], _err("COMPONENT_CUSTOM_ID_DUPLICATED", "Duplicate id"))
            seen.add(custom_id)


def _check_allowed_mentions(errors: Errors, am: dict[str, Any]) -> None:
    parse = am.get("parse") or []
    for i, item in enumerate(parse):
        if item not in ("users", "roles", "everyone"):
            _merge(
                errors, ["allowed_mentions", "parse", str(i)], _err("ENUM_TYPE_COERCE", "Not a valid value.")
            )
    for kind in ("users", "roles"):
        if kind in parse and am.get(kind):
            _merge(
                errors,
                ["allowed_mentions", kind],
                _err("SET_TYPE_ALREADY_CONTAINS_VALUE", f"parse contains {kind} and {kind} is set"),
            )


def validate_message(payload: dict[str, Any], *, creating: bool) -> tuple[int, dict[str, Any]] | None:
    """None when Discord would accept the message; else (status, error JSON)."""
    errors: Errors = {}
    _check_text(errors, ["content"], payload.get("content"), CONTENT_MAX)
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS_MAX:
        _merge(errors, ["embeds"], _too_long(EMBEDS_MAX))
    for i, embed in enumerate(embeds):
        _check_embed(errors, ["embeds", str(i)], embed)
    if sum(embed_size(e) for e in embeds) > EMBED_TOTAL_MAX:
        _merge(errors, ["embeds"], _err("MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"))
    _check_components(errors, payload.get("components") or [])
    _check_allowed_mentions(errors, payload.get("allowed_mentions") or {})
    if errors:
        return 400, invalid_form_body(errors)
    has_body = payload.get("content") or embeds or payload.get("components") or payload.get("attachments")
    if creating and not has_body:
        return 400, {"code": 50006, "message": "Cannot send an empty message"}
    return None


def _check_name(errors: Errors, path: list[str], name: Any, *, lowercase: bool) -> None:
    if not isinstance(name, str) or not COMMAND_NAME.fullmatch(name) or (lowercase and name != name.lower()):
        _merge(errors, [*path, "name"], _err("APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"))


def _option_chars(option: dict[str, Any]) -> int:
    size = len(option.get("name") or "") + len(option.get("description") or "")
    size += sum(len(str(c.get("name"))) + len(str(c.get("value"))) for c in option.get("choices") or [])
    return size + sum(_option_chars(o) for o in option.get("options") or [])


def _check_options(errors: Errors, path: list[str], options: list[dict[str, Any]]) -> None:
    if len(options) > 25:
        _merge(errors, [*path, "options"], _too_long(25))
    names: set[str] = set()
    optional_seen = False
    for i, option in enumerate(options):
        opath = [*path, "options", str(i)]
        kind = option.get("type")
        if kind not in OPTION_TYPES:
            _merge(errors, [*opath, "type"], _err("BASE_TYPE_CHOICES", "Value must be one of {1, ..., 11}."))
        _check_name(errors, opath, option.get("name"), lowercase=True)
        _check_text(errors, [*opath, "description"], option.get("description"), 100, 1)
        if option.get("name") in names:
            _merge(
                errors,
                [*opath, "name"],
                _err("APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option name already exists"),
            )
        names.add(option.get("name", ""))
        if kind in (1, 2):
            _check_options(errors, opath, option.get("options") or [])
            continue
        if option.get("required"):
            if optional_seen:
                _merge(
                    errors,
                    [*opath, "required"],
                    _err(
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    ),
                )
        else:
            optional_seen = True
        choices = option.get("choices") or []
        if len(choices) > 25:
            _merge(errors, [*opath, "choices"], _too_long(25))
        if choices and option.get("autocomplete"):
            _merge(
                errors,
                [*opath, "autocomplete"],
                _err("AUTOCOMPLETE_WITH_CHOICES", "Choices with autocomplete"),
            )
        for bound, top in (("min_length", 6000), ("max_length", 6000)):
            value = option.get(bound)
            if value is not None and not 0 <= value <= top:
                _merge(errors, [*opath, bound], _err("NUMBER_TYPE_MAX", f"int value should be <= {top}."))
        low, high = option.get("min_value"), option.get("max_value")
        if low is not None and high is not None and low > high:
            _merge(errors, [*opath, "min_value"], _err("NUMBER_TYPE_MAX", "min_value exceeds max_value"))


def validate_commands(commands: Any) -> tuple[int, dict[str, Any]] | None:
    """A bulk-overwrite payload (PUT .../commands): None when valid, else (400, error JSON)."""
    if not isinstance(commands, list):
        return 400, invalid_form_body(_err("LIST_TYPE_CONVERT", "Only iterables may be used in a ListType"))
    errors: Errors = {}
    seen: set[tuple[int, str]] = set()
    chat_input = 0
    for i, command in enumerate(commands):
        path = [str(i)]
        kind = command.get("type", 1)
        chat_input += kind == 1
        _check_name(errors, path, command.get("name"), lowercase=kind == 1)
        if kind == 1:
            _check_text(errors, [*path, "description"], command.get("description"), 100, 1)
        key = (kind, command.get("name", ""))
        if key in seen:
            _merge(errors, [*path, "name"], _err("APPLICATION_COMMANDS_DUPLICATE_NAME", "Duplicate name"))
        seen.add(key)
        _check_options(errors, path, command.get("options") or [])
        perms = command.get("default_member_permissions")
        # A permission bit set, sent as a string or a number (Discord coerces both).
        if perms is not None and not str(perms).isdigit():
            _merge(errors, [*path, "default_member_permissions"], _err("NUMBER_TYPE_COERCE", "Not a number."))
        for j, ctx in enumerate(command.get("contexts") or []):
            if ctx not in (0, 1, 2):
                _merge(errors, [*path, "contexts", str(j)], _err("ENUM_TYPE_COERCE", "Not a valid context."))
        chars = len(command.get("name") or "") + len(command.get("description") or "")
        if chars + sum(_option_chars(o) for o in command.get("options") or []) > 4000:
            _merge(errors, path, _err("APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (4000)"))
    if chat_input > CHAT_INPUT_MAX:
        _merge(errors, [], _err("APPLICATION_COMMANDS_TOO_MANY", "Maximum number of commands reached (100)"))
    return (400, invalid_form_body(errors)) if errors else None
