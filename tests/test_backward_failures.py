"""A failing `backward()` leaves every ``grad`` as it was; concurrent passes add up exactly."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

from autograd_mini import Value, gradients


def graph() -> tuple[list[Value], Value, Value]:
    """Leaves a, b; a micrograd-style node d whose closure is set by the test; root e."""
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    d = Value(c.data + 1.0, (c,), "custom")
    e = d * a + b.tanh()
    return [a, b, c, d, e], d, e


@pytest.mark.parametrize("error", [RuntimeError("closure failed"), KeyboardInterrupt()])
def test_an_exception_in_the_middle_of_backward_leaves_every_grad_as_it_was(
    error: BaseException,
) -> None:
    nodes, d, e = graph()
    c = d.parents[0]

    def step() -> None:  # the chain-rule step runs, then fails
        c.grad += d.grad
        raise error

    d._backward = step  # type: ignore[method-assign]
    for i, n in enumerate(nodes):
        n.grad = 0.25 * (i + 1)
    before = [n.grad for n in nodes]
    with pytest.raises(type(error)):
        e.backward()
    assert [n.grad for n in nodes] == before


def test_a_leaf_whose_grad_is_none_fails_before_anything_changes() -> None:
    nodes, d, e = graph()
    d._backward = lambda: None  # type: ignore[method-assign]
    nodes[0].grad = 1.5
    nodes[1].grad = None  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"grad must be a number, got NoneType.*label 'b'"):
        e.backward()
    assert [n.grad for n in nodes] == [1.5, None, 0.0, 0.0, 0.0]


@pytest.mark.parametrize("bad", ["0.5", [1.0], object()])
def test_a_non_number_grad_is_a_type_error_naming_the_node(bad: object) -> None:
    w = Value(2.0, label="weight")
    out = w * w + 1.0
    w.grad = bad  # type: ignore[assignment]
    with pytest.raises(TypeError, match="label 'weight'"):
        out.backward()
    assert w.grad is bad and out.grad == 0.0


@pytest.fixture
def frequent_switches() -> Iterator[None]:
    """Switch threads every microsecond, so that unprotected += would race."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


@pytest.mark.usefixtures("frequent_switches")
@pytest.mark.parametrize("threads", [2, 3, 4])
def test_concurrent_backward_passes_into_shared_leaves_add_up_exactly(threads: int) -> None:
    # Gradients are small dyadic numbers, so any order of the additions gives
    # the same exact total: a lost or doubled update cannot hide in rounding.
    for trial in range(40):
        shared = [Value(0.5 * (k + 1) + 0.25 * trial) for k in range(4)]
        roots = []
        for t in range(threads):
            own = Value(1.0 + t)
            s = own
            for k, x in enumerate(shared):
                s = s + x * own * (k + 1) + x * x - x.relu()
            roots.append(s)
        passes = 50
        expected = [0.0] * len(shared)
        for r in roots:
            for k, g in enumerate(gradients(r, shared)):
                expected[k] += passes * g

        barrier = threading.Barrier(threads)

        workers = [threading.Thread(target=_passes, args=(r, passes, barrier)) for r in roots]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert [x.grad for x in shared] == expected, (trial, threads)


def _passes(root: Value, passes: int, barrier: threading.Barrier) -> None:
    barrier.wait()
    for _ in range(passes):
        root.backward()
