"""The configured chat model (LangChain) and a call to it that gives up after a wall-clock deadline."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING

from bot.errors import LLMConfigError
from bot.settings import LLMSettings, Secrets

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage

# Sent to OpenAI-compatible servers that need no key (llama.cpp, vLLM, LM Studio): the client
# refuses to start without one.
_NO_KEY = "not-needed"


class ChatTimeout(Exception):
    """The chat model did not answer within the deadline."""


def build_chat_model(settings: LLMSettings, secrets: Secrets) -> BaseChatModel:
    """The LangChain chat model for `settings.provider` (not 'none'); imports its package lazily.

    Retries are off: the deadline belongs to the caller, who has an extractive answer to fall back on.
    """
    if settings.provider == "openai":
        return _openai(settings, secrets)
    if settings.provider == "ollama":
        return _ollama(settings)
    if settings.provider == "anthropic":
        return _anthropic(settings, secrets)
    raise LLMConfigError(f"[llm] provider {settings.provider!r} has no chat model")


def _openai(settings: LLMSettings, secrets: Secrets) -> BaseChatModel:
    key = secrets.openai_api_key
    if key is None and not settings.base_url:
        raise LLMConfigError(
            "[llm] provider = 'openai' needs OPENAI_API_KEY in the environment or .env "
            "(or a base_url of an OpenAI-compatible server)"
        )
    if not settings.model and not settings.base_url:
        raise LLMConfigError("[llm] provider = 'openai' needs a model name")
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.model or "default",
        base_url=settings.base_url or None,
        api_key=key.get_secret_value() if key is not None else _NO_KEY,
        timeout=settings.timeout,
        max_retries=0,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        # The client sends `max_completion_tokens`, which older OpenAI-compatible servers
        # (llama-cpp-python among them) ignore; they read `max_tokens`.
        extra_body={"max_tokens": settings.max_tokens} if settings.base_url else None,
    )


def _ollama(settings: LLMSettings) -> BaseChatModel:
    if not settings.model:
        raise LLMConfigError("[llm] provider = 'ollama' needs a model name (e.g. model = \"llama3.2\")")
    try:
        from langchain_ollama import ChatOllama
    except ImportError as exc:
        raise LLMConfigError(
            "[llm] provider = 'ollama' needs langchain-ollama: pip install 'geotech-bot[llm]'"
        ) from exc
    return ChatOllama(
        model=settings.model,
        base_url=settings.base_url or None,
        temperature=settings.temperature,
        num_predict=settings.max_tokens,
        client_kwargs={"timeout": settings.timeout},
    )


def _anthropic(settings: LLMSettings, secrets: Secrets) -> BaseChatModel:
    key = secrets.anthropic_api_key
    if key is None:
        raise LLMConfigError(
            "[llm] provider = 'anthropic' needs ANTHROPIC_API_KEY in the environment or in .env"
        )
    if not settings.model:
        raise LLMConfigError("[llm] provider = 'anthropic' needs a model name")
    try:
        from langchain_anthropic import ChatAnthropic
    except ImportError as exc:
        raise LLMConfigError(
            "[llm] provider = 'anthropic' needs langchain-anthropic: pip install 'geotech-bot[llm]'"
        ) from exc
    kwargs: dict[str, object] = {}
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    return ChatAnthropic(
        model=settings.model,
        api_key=key,
        timeout=settings.timeout,
        max_retries=0,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        **kwargs,
    )


def invoke_with_deadline(chat: BaseChatModel, messages: Sequence[BaseMessage], timeout: float) -> str:
    """The reply's text, or ChatTimeout after `timeout` seconds of wall-clock time.

    The client's own timeout covers each socket operation, not a server that trickles tokens
    or a DNS lookup that hangs, so the call runs in a daemon thread that is abandoned (and
    ends on its own when the client times out) if it is late.
    """
    result: Future[str] = Future()

    def run() -> None:
        try:
            reply = chat.invoke(list(messages))
            result.set_result(str(reply.text))
        except BaseException as exc:  # handed to the caller, who decides
            result.set_exception(exc)

    threading.Thread(target=run, name="llm-call", daemon=True).start()
    try:
        return result.result(timeout=timeout)
    except FutureTimeout:
        raise ChatTimeout(f"no reply within {timeout:g} s") from None
