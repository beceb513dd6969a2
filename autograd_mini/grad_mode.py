"""Switching graph recording on and off: `no_grad`, `enable_grad`, `set_grad_enabled`.

The switch is a `contextvars.ContextVar`, so it is private to each thread and
to each asyncio task, as in PyTorch. Used as decorators, the switches also work
on generator functions (the mode holds while the generator runs, and not
between its ``yield``s, where the caller's code runs) and on ``async def``
functions (the mode holds while the coroutine runs).

This module imports nothing from the package.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncGenerator, Callable, Coroutine, Generator
from contextvars import ContextVar
from typing import Any, TypeVar

__all__ = ["is_grad_enabled", "set_grad_enabled", "no_grad", "enable_grad"]

_GRAD_ENABLED: ContextVar[bool] = ContextVar("autograd_mini_grad_enabled", default=True)
_SAVED_MODES: ContextVar[tuple[bool, ...]] = ContextVar("autograd_mini_saved_modes", default=())

F = TypeVar("F", bound=Callable[..., Any])


def is_grad_enabled() -> bool:
    """Whether operations on Values currently record the graph."""
    return _GRAD_ENABLED.get()


class set_grad_enabled:  # noqa: N801 - named like torch.set_grad_enabled, used as a function
    """Context manager and decorator that turns graph recording on or off.

    Blocks nest, and the previous setting comes back on exit, also when the
    block raises. One object may be shared by threads and tasks: the setting
    to restore is kept per context, not on the object.

    Args:
        mode: ``True`` to record operations, ``False`` to compute plain values.
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)

    def __enter__(self) -> None:
        _SAVED_MODES.set((*_SAVED_MODES.get(), _GRAD_ENABLED.get()))
        _GRAD_ENABLED.set(self.mode)

    def __exit__(self, *exc: object) -> None:
        saved = _SAVED_MODES.get()
        _GRAD_ENABLED.set(saved[-1])
        _SAVED_MODES.set(saved[:-1])

    def __call__(self, func: F) -> F:
        """Use as a decorator: ``func`` runs with the mode set.

        Plain functions, generator functions and ``async def`` functions
        (coroutines and async generators) are all supported; for generators
        the mode is set each time the generator resumes and restored each
        time it yields.
        """
        mode = self.mode
        wrapper: Callable[..., Any]
        if inspect.isgeneratorfunction(func):

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                return _generator_in_mode(func(*args, **kwargs), mode)

        elif inspect.isasyncgenfunction(func):

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                return _async_generator_in_mode(func(*args, **kwargs), mode)

        elif inspect.iscoroutinefunction(func):

            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                with set_grad_enabled(mode):
                    return await func(*args, **kwargs)

        else:

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                with set_grad_enabled(mode):
                    return func(*args, **kwargs)

        return functools.wraps(func)(wrapper)  # type: ignore[return-value]


def _generator_in_mode(gen: Generator[Any, Any, Any], mode: bool) -> Generator[Any, Any, Any]:
    """Drive ``gen`` with the mode set while it runs, restored while it is suspended."""
    to_send: Any = None
    to_throw: BaseException | None = None
    while True:
        try:
            with set_grad_enabled(mode):
                if to_throw is not None:
                    item = gen.throw(to_throw)
                else:
                    item = gen.send(to_send)
        except StopIteration as stop:
            return stop.value
        to_throw = None
        try:
            to_send = yield item
        except GeneratorExit:
            with set_grad_enabled(mode):
                gen.close()
            raise
        except BaseException as exc:  # thrown in by the caller: pass it on inside the mode
            to_throw = exc


async def _async_generator_in_mode(
    agen: AsyncGenerator[Any, Any], mode: bool
) -> AsyncGenerator[Any, Any]:
    """`_generator_in_mode` for async generators."""
    to_send: Any = None
    to_throw: BaseException | None = None
    while True:
        try:
            with set_grad_enabled(mode):
                step: Coroutine[Any, Any, Any] | Any
                if to_throw is not None:
                    step = agen.athrow(to_throw)
                else:
                    step = agen.asend(to_send)
                item = await step
        except StopAsyncIteration:
            return
        to_throw = None
        try:
            to_send = yield item
        except GeneratorExit:
            with set_grad_enabled(mode):
                await agen.aclose()
            raise
        except BaseException as exc:
            to_throw = exc


class no_grad(set_grad_enabled):  # noqa: N801 - the name users know from PyTorch
    """Record nothing: results are constants for backward.

    Use as ``with no_grad(): ...`` or as a ``@no_grad()`` decorator, for
    evaluation and for optimizer updates. Thread- and asyncio-safe, nestable;
    `enable_grad` switches recording back on inside it.
    """

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):  # noqa: N801
    """Record the graph again inside a `no_grad` block (context manager or decorator)."""

    def __init__(self) -> None:
        super().__init__(True)
