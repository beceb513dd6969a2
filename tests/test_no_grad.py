"""Recording modes: no_grad, enable_grad, set_grad_enabled, detach."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

import pytest

from autograd_mini import (
    Value,
    dot,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
    primitive,
    set_grad_enabled,
    vsum,
)

square = primitive(lambda x: x * x, lambda x: 2 * x, name="square")


def every_operation(x: Value, y: Value) -> list[Value]:
    return [
        x + y, x + 1.0, 1.0 + x, x - y, x - 1.0, 1.0 - x, x * y, x * 2.0, 2.0 * x,
        x / y, x / 2.0, 2.0 / x, x**y, x**2.0, 2.0**x, -x, abs(x),
        x.relu(), x.tanh(), x.sigmoid(), x.exp(), x.log(), x.sqrt(), x.sin(), x.cos(),
        dot([x, y], [y, x], 1.0), dot([x], [2.0], y), vsum([x, y, 1.0]), square(x),
    ]


def test_no_grad_records_nothing() -> None:
    x, y = Value(1.5), Value(0.5)
    with no_grad():
        results = every_operation(x, y)
    for r in results:
        assert isinstance(r, Value)
        assert r.is_leaf and r.parents == () and r.op == "" and r.local_grads == ()
    # Backward through a result reaches nothing.
    results[6].backward()
    assert x.grad == 0.0 and y.grad == 0.0


def test_values_are_the_same_with_and_without_recording() -> None:
    x, y = Value(1.5), Value(0.5)
    recorded = [r.data for r in every_operation(x, y)]
    with no_grad():
        plain = [r.data for r in every_operation(x, y)]
    assert plain == recorded


def test_recording_works_outside_the_block() -> None:
    x = Value(2.0)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
    assert is_grad_enabled()
    y = x * x
    assert y.parents == (x, x)


def test_no_grad_is_restored_after_an_exception() -> None:
    with pytest.raises(ZeroDivisionError), no_grad():
        Value(1.0) / 0.0
    assert is_grad_enabled()
    with pytest.raises(RuntimeError), enable_grad():
        raise RuntimeError
    assert is_grad_enabled()

    with no_grad():
        with pytest.raises(KeyError), enable_grad():
            raise KeyError
        assert not is_grad_enabled()


def test_no_grad_as_a_decorator() -> None:
    @no_grad()
    def evaluate(x: Value) -> Value:
        assert not is_grad_enabled()
        return x * x

    out = evaluate(Value(3.0))
    assert out.data == 9.0 and out.is_leaf
    assert is_grad_enabled()
    assert evaluate.__name__ == "evaluate"

    @no_grad()
    def fails() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        fails()
    assert is_grad_enabled()


def test_enable_grad_inside_no_grad() -> None:
    x = Value(2.0)
    with no_grad():
        constant = x * x
        with enable_grad():
            assert is_grad_enabled()
            recorded = x * x
        assert not is_grad_enabled()
    assert constant.is_leaf
    assert recorded.parents == (x, x)
    recorded.backward()
    assert x.grad == 4.0


def test_enable_grad_as_a_decorator() -> None:
    @enable_grad()
    def build(x: Value) -> Value:
        return x.exp()

    with no_grad():
        out = build(Value(0.0))
    assert out.op == "exp"


def test_nesting_and_set_grad_enabled() -> None:
    with no_grad():
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
        with set_grad_enabled(True):
            assert is_grad_enabled()
            with set_grad_enabled(False):
                assert not is_grad_enabled()
            assert is_grad_enabled()
    assert is_grad_enabled()

    @set_grad_enabled(False)
    def off() -> bool:
        return is_grad_enabled()

    assert off() is False


def test_one_context_manager_object_used_twice() -> None:
    ctx = no_grad()
    with ctx:
        with ctx:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_threads_have_their_own_setting() -> None:
    entered = threading.Event()
    checked = threading.Event()
    seen: dict[str, object] = {}

    def worker() -> None:
        with no_grad():
            entered.set()
            checked.wait(timeout=10)
            seen["worker"] = is_grad_enabled()
            seen["worker_node"] = (Value(1.0) * Value(2.0)).is_leaf

    t = threading.Thread(target=worker)
    t.start()
    assert entered.wait(timeout=10)
    # The worker is inside no_grad; this thread still records.
    seen["main"] = is_grad_enabled()
    seen["main_node"] = (Value(1.0) * Value(2.0)).is_leaf
    checked.set()
    t.join(timeout=10)
    assert seen == {"worker": False, "worker_node": True, "main": True, "main_node": False}


def test_a_new_thread_records_even_if_the_starter_is_in_no_grad() -> None:
    seen = []
    with no_grad():
        t = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        t.start()
        t.join(timeout=10)
        assert not is_grad_enabled()
    assert seen == [True]


def test_asyncio_tasks_have_their_own_setting() -> None:
    async def quiet(ready: asyncio.Event, go: asyncio.Event) -> bool:
        with no_grad():
            ready.set()
            await go.wait()
            return is_grad_enabled()

    async def loud(ready: asyncio.Event, go: asyncio.Event) -> bool:
        await ready.wait()  # the other task is inside no_grad now
        enabled = is_grad_enabled()
        go.set()
        return enabled

    async def main() -> tuple[bool, bool, bool]:
        ready, go = asyncio.Event(), asyncio.Event()
        a, b = await asyncio.gather(quiet(ready, go), loud(ready, go))
        return a, b, is_grad_enabled()

    assert asyncio.run(main()) == (False, True, True)


def test_detach() -> None:
    x = Value(3.0, label="x")
    y = x * x
    d = y.detach()
    assert d is not y
    assert d.data == 9.0 and d.label == y.label
    assert d.is_leaf and d.op == "" and d.grad == 0.0
    z = d * x  # gradient flows through x only, d is a constant
    z.backward()
    assert x.grad == 9.0
    assert y.grad == 0.0 and d.grad == 3.0
    assert x.detach().label == "x"


def test_detach_stops_higher_order_gradients() -> None:
    # d/dx (x * stop(x)) = stop(x), whose derivative is 0.
    f = lambda x: x * x.detach()
    assert grad(f)(3.0) == 3.0
    assert grad(grad(f))(3.0) == 0.0


def test_one_no_grad_object_shared_by_two_threads() -> None:
    ctx = no_grad()  # e.g. a module-level object reused by worker threads
    a_inside, b_inside, a_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def a() -> None:
        try:
            with ctx:
                a_inside.set()
                b_inside.wait(timeout=10)
        except BaseException as exc:
            errors.append(exc)
        finally:
            a_done.set()

    def b() -> None:
        try:
            a_inside.wait(timeout=10)
            with ctx:
                b_inside.set()
                a_done.wait(timeout=10)  # a leaves first
                assert not is_grad_enabled()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert errors == []


# ---------------------------------------------------------------- decorated generators and async


def test_no_grad_on_a_generator_records_nothing_and_the_caller_keeps_its_mode() -> None:
    x = Value(2.0)
    seen: list[bool] = []

    @no_grad()
    def steps(n: int) -> Iterator[Value]:
        for i in range(n):
            seen.append(is_grad_enabled())
            yield x * (i + 1)

    outs = []
    for out in steps(3):
        assert is_grad_enabled()  # between yields, the caller's own mode
        outs.append(out)
        y = x * out  # the caller records
        assert y.parents == (x, out)
    assert seen == [False, False, False]
    assert all(o.is_leaf for o in outs)

    with no_grad():  # a caller without recording stays so between yields
        for _out in steps(2):
            assert not is_grad_enabled()


def test_no_grad_on_a_coroutine_and_an_async_generator() -> None:
    x = Value(2.0)
    modes: list[bool] = []

    @no_grad()
    async def compute() -> Value:
        await asyncio.sleep(0)
        modes.append(is_grad_enabled())
        return x * 3

    @no_grad()
    async def stream(n: int) -> AsyncIterator[Value]:
        for i in range(n):
            await asyncio.sleep(0)
            modes.append(is_grad_enabled())
            yield x * i

    async def main() -> None:
        out = await compute()
        assert out.is_leaf and out.data == 6.0
        assert is_grad_enabled()
        async for v in stream(3):
            assert is_grad_enabled()  # the caller's mode between yields
            assert v.is_leaf
            assert not (x * v).is_leaf
        with no_grad():
            async for _v in stream(1):
                assert not is_grad_enabled()

    asyncio.run(main())
    assert modes == [False] * 5
