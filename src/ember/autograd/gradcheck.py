"""``gradcheck`` and ``gradgradcheck``: compare backward with central finite differences.

torch's signature and tolerances: eps=1e-6, atol=1e-5, rtol=1e-3. Inputs should be float64.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..tensor import Tensor
from .engine import grad as autograd_grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients differ."""


def _as_tuple(x):
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _diff_inputs(inputs):
    return [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _outputs(func, inputs):
    out = func(*inputs)
    return _as_tuple(out)


def _numerical_jacobian(func, inputs, wrt, out_index, eps):
    """d out[out_index] / d inputs[wrt], shape (input numel, output numel)."""
    a = inputs[wrt]._data
    columns = []
    # grad mode stays on: gradgradcheck differentiates a function that calls autograd itself.
    # Elements are visited in logical (row-major) order, whatever the input's strides.
    for idx in np.ndindex(a.shape):
        orig = a[idx].item()
        a[idx] = orig + eps
        plus = _outputs(func, inputs)[out_index]._data.astype(np.float64).reshape(-1).copy()
        a[idx] = orig - eps
        minus = _outputs(func, inputs)[out_index]._data.astype(np.float64).reshape(-1).copy()
        a[idx] = orig
        columns.append((plus - minus) / (2 * eps))
    n_out = _outputs(func, inputs)[out_index]._data.size
    if not columns:
        return np.zeros((0, n_out))
    return np.stack(columns)


def _analytical_jacobian(func, inputs, diff, out_index):
    outputs = _outputs(func, inputs)
    out = outputs[out_index]
    n_out = out._data.size
    jac = [np.zeros((inputs[i]._data.size, n_out)) for i in diff]
    if not out.requires_grad:
        return jac
    for j in range(n_out):
        seed = np.zeros(out._data.shape, dtype=out._data.dtype)
        seed.reshape(-1)[j] = 1
        grads = autograd_grad(
            out,
            [inputs[i] for i in diff],
            Tensor._make(seed, False, None),
            retain_graph=True,
            allow_unused=True,
        )
        for col, g in zip(jac, grads):
            if g is not None:
                col[:, j] = g._data.astype(np.float64).reshape(-1)
    return jac


def _as_tensor(jacobian, np_dtype) -> Tensor:
    return Tensor._make(jacobian.astype(np_dtype), False, None)


def gradcheck(
    func,
    inputs,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    check_batched_forward_grad=False,
    check_forward_ad=False,
    check_backward_ad=True,
    fast_mode=False,
    masked=None,
) -> bool:
    """True if ``func``'s backward matches finite differences for every differentiable input
    (``inputs``: a tensor or a tuple); raises GradcheckError otherwise (or returns False when
    ``raise_exception=False``)."""
    inputs = _as_tuple(inputs)
    diff = _diff_inputs(inputs)
    if not diff:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of "
            "them have requires_grad=True."
        )
    for i in diff:
        if inputs[i].dtype.name != "float64":
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point. "
                "This check will likely fail if all the inputs are not of double precision "
                "floating point. ",
                UserWarning,
                stacklevel=2,
            )
    outputs = _outputs(func, inputs)
    for o_idx, out in enumerate(outputs):
        if not isinstance(out, Tensor) or out._data.dtype.kind != "f":
            continue
        analytical = _analytical_jacobian(func, inputs, diff, o_idx)
        for k, i in enumerate(diff):
            numerical = _numerical_jacobian(func, inputs, i, o_idx, eps)
            a = analytical[k]
            if not np.allclose(a, numerical, rtol=rtol, atol=atol, equal_nan=True):
                if not raise_exception:
                    return False
                dt = inputs[i]._data.dtype
                raise GradcheckError(
                    f"Jacobian mismatch for output {o_idx} with respect to input {i},\n"
                    f"numerical:{_as_tensor(numerical, dt)}\nanalytical:{_as_tensor(a, dt)}\n"
                )
    return True


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    gen_non_contig_grad_outputs=False,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    check_fwd_over_rev=False,
    check_rev_over_rev=True,
    fast_mode=False,
    masked=False,
) -> bool:
    """gradcheck of the gradients: second derivatives of ``func`` against finite differences
    of its (create_graph) first derivatives."""
    inputs = _as_tuple(inputs)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            Tensor._make(rng.standard_normal(o._data.shape).astype(o._data.dtype), True, None)
            for o in outputs
            if isinstance(o, Tensor) and o._data.dtype.kind == "f"
        )
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff = _diff_inputs(inputs)

    def first_grads(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs = [
            o for o in _outputs(func, ins) if isinstance(o, Tensor) and o._data.dtype.kind == "f"
        ]
        pairs = [(o, g) for o, g in zip(outs, gos) if o.requires_grad]
        grads = autograd_grad(
            [o for o, _ in pairs],
            [ins[i] for i in diff],
            [g for _, g in pairs],
            create_graph=True,
            allow_unused=True,
        )
        return tuple(g if g is not None else ins[i] * 0 for g, i in zip(grads, diff))

    return gradcheck(
        first_grads,
        inputs + tuple(grad_outputs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
    )
