"""numpy numbers and arrays as inputs: Values, operators, networks, state dicts."""

from __future__ import annotations

import operator
from collections.abc import Callable

import pytest

from autograd_mini import Value, nn

np = pytest.importorskip("numpy")

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
          np.uint8, np.uint16, np.uint32, np.uint64, np.bool_]  # fmt: skip
OPERATORS: list[Callable[[object, object], object]] = [
    operator.add, operator.sub, operator.mul, operator.truediv, operator.pow,
]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("op", OPERATORS, ids=lambda o: o.__name__)
def test_numpy_scalars_on_either_side_of_an_operator_give_values(
    dtype: type, op: Callable[[object, object], object]
) -> None:
    n = dtype(2)  # np.bool_(2) is True
    v = Value(3.0)
    for out, plain in ((op(n, v), op(float(n), 3.0)), (op(v, n), op(3.0, float(n)))):
        assert type(out) is Value
        assert out.data == plain
        assert type(out.data) is float


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_value_of_a_numpy_scalar_is_a_float(dtype: type) -> None:
    v = Value(dtype(1))
    assert type(v.data) is float and v.data == 1.0
    assert Value(np.float32(1.5)).data == 1.5
    assert Value(np.array(2.5)).data == 2.5  # a 0-d array


def test_gradients_reach_a_value_multiplied_by_a_numpy_scalar() -> None:
    v = Value(3.0)
    out = np.float64(2) * v + v * np.int32(5)
    out.backward()
    assert v.grad == 7.0 and type(v.grad) is float


def test_an_array_with_a_value_is_a_type_error_not_an_object_array() -> None:
    with pytest.raises(TypeError, match=r"^\*: expected a real number.*ndarray"):
        np.array([1.0, 2.0]) * Value(3.0)
    with pytest.raises(TypeError, match=r"^\+: expected a real number.*ndarray"):
        Value(3.0) + np.array([1.0, 2.0])
    with pytest.raises(TypeError, match="Value"):
        Value(np.array([1.0]))  # type: ignore[arg-type]


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_an_mlp_takes_a_numpy_array(dtype: type) -> None:
    model = nn.MLP(2, [3, 1], rng=__import__("random").Random(0))
    x = np.array([0.5, -1.0], dtype=dtype)
    out = model(x)
    assert isinstance(out, Value)
    assert out.data == model([float(x[0]), float(x[1])]).data
    out.backward()
    assert all(type(p.grad) is float for p in model.parameters())


def test_load_state_dict_takes_numpy_float32() -> None:
    model = nn.MLP(2, [3, 1])
    state = model.state_dict()
    as_numpy = {k: [np.float32(x) for x in v] if isinstance(v, list) else np.float32(v)
                for k, v in state.items()}  # fmt: skip
    model.load_state_dict(as_numpy)
    for p in model.parameters():
        assert type(p.data) is float
    assert model.state_dict() == {
        k: [float(np.float32(x)) for x in v] if isinstance(v, list) else float(np.float32(v))
        for k, v in state.items()
    }
