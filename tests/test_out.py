"""``out=`` arguments: the result written into the caller's tensor (cast by the reductions,
resized with torch's warning), ``(values, indices)`` pairs for the reductions along a dim, and
the refusal when the result would need a gradient. Each case runs with ``T`` = ember and
``T`` = torch and compares the outcome."""

from __future__ import annotations

import pytest

import ember

from .conftest import outcome


def _outcome(lib, code: str) -> str:
    return outcome(lib, "x = T.arange(6.).reshape(2, 3)\n" + code)


CASES = {
    "sum": "z = T.zeros(3); r = (T.sum(x, 0, out=z) is z, z)",
    "sum-all": "z = T.zeros(()); r = (T.sum(x, out=z) is z, z)",
    "sum-into-int": "z = T.zeros(3, dtype=T.int64); T.sum(x, 0, out=z); r = z",
    "sum-resized": "z = T.zeros(5); T.sum(x, 1, out=z); r = z",
    "sum-into-empty": "z = T.zeros(0); T.sum(x, 1, out=z); r = z",
    "mean": "z = T.zeros(2, dtype=T.float64); T.mean(x, 1, out=z); r = z",
    "amax": "z = T.zeros(3); T.amax(x, 0, out=z); r = z",
    "amin": "z = T.zeros(2); T.amin(x, 1, out=z); r = z",
    "std": "z = T.zeros(3); T.std(x, 0, out=z); r = z",
    "var": "z = T.zeros(2); T.var(x, 1, out=z); r = z",
    "logsumexp": "z = T.zeros(2); T.logsumexp(x, 1, out=z); r = z",
    "norm": "z = T.zeros(()); T.norm(x, out=z); r = z",
    "max-all": "z = T.zeros(()); T.max(x, out=z); r = z",
    "max-dim": "v, i = T.zeros(3), T.zeros(3, dtype=T.int64); "
    "r = T.max(x, 0, out=(v, i)); r = (r, r.values is v, r.indices is i)",
    "min-dim": "v, i = T.zeros(2), T.zeros(2, dtype=T.int64); r = T.min(x, 1, out=(v, i))",
    "median-all": "T.median(x, out=T.zeros(()))",
    "nanmedian-all": "T.nanmedian(x, out=T.zeros(()))",
    "cumsum": "z = T.zeros(2, 3); r = (T.cumsum(x, 1, out=z) is z, z)",
    "cumsum-into-int": "z = T.zeros(2, 3, dtype=T.int64); T.cumsum(x, 1, out=z); r = z",
    "cumprod": "z = T.zeros(2, 3); T.cumprod(x + 1, 0, out=z); r = z",
    "all-dim": "z = T.zeros(2, dtype=T.bool); T.all(x, 1, out=z); r = z",
    "any-float-out": "T.any(x, 1, out=T.zeros(2))",
    "tril": "z = T.zeros(2, 3); T.tril(x, out=z); r = z",
    "triu": "z = T.zeros(2, 3); T.triu(x, 1, out=z); r = z",
    "diag": "z = T.zeros(2); T.diag(x, out=z); r = z",
    "gather": "z = T.zeros(2, 1); T.gather(x, 1, T.tensor([[2], [0]]), out=z); r = z",
    "index_select": "z = T.zeros(2, 2); T.index_select(x, 1, T.tensor([0, 2]), out=z); r = z",
    "addmm": "z = T.zeros(2, 2); T.addmm(T.ones(2, 2), x, x.t(), out=z); r = z",
    "cross": "z = T.zeros(3); a = T.tensor([1., 0, 0]); T.cross(a, a.roll(1), dim=0, out=z); r = z",
    "tensordot": "z = T.zeros(()); T.tensordot(x, x, 2, out=z); r = z",
    "eye": "z = T.zeros(2, 2, dtype=T.int64); r = (T.eye(2, out=z) is z, z)",
    "linspace": "z = T.zeros(3); T.linspace(0, 1, 3, out=z); r = z",
    "eye-resized-quietly": "z = T.zeros(5); T.eye(2, out=z); r = z",
    "rand-shape": "z = T.zeros(4); r = (T.rand(2, 2, out=z) is z, z.shape)",
    "randperm": "z = T.zeros(3, dtype=T.int64); T.randperm(3, out=z); r = sorted(z.tolist())",
    "sort": "v, i = T.zeros(2, 3), T.zeros(2, 3, dtype=T.int64); "
    "r = T.sort(-x, 1, out=(v, i)); r = (r, r.values is v)",
    "topk": "r = T.topk(x, 2, out=(T.zeros(2, 2), T.zeros(2, 2, dtype=T.int64)))",
    "kthvalue": "r = T.kthvalue(x, 2, 1, out=(T.zeros(2), T.zeros(2, dtype=T.int64)))",
    "median-dim": "r = T.median(x, 1, out=(T.zeros(2), T.zeros(2, dtype=T.int64)))",
    "mode": "r = T.mode(x, 1, out=(T.zeros(2), T.zeros(2, dtype=T.int64)))",
    "quantile": "z = T.zeros(()); T.quantile(x, 0.5, out=z); r = z",
    "linalg-norm": "z = T.zeros(()); T.linalg.norm(x, out=z); r = z",
    "add": "z = T.zeros(2, 3); r = (T.add(x, 1, out=z) is z, z)",
    "mul-resized": "z = T.zeros(4); T.mul(x, x, out=z); r = z",
    "sum-needs-grad": "w = x.requires_grad_(); T.sum(w, 0, out=T.zeros(3))",
    "add-needs-grad": "w = x.requires_grad_(); T.add(w, w, out=T.zeros(2, 3))",
    "no-grad-mode": "w = x.requires_grad_(); z = T.zeros(3)\n"
    "with T.no_grad():\n    T.sum(w, 0, out=z)\nr = z",
}


@pytest.mark.parametrize("case", list(CASES))
def test_out_matches_torch(torch, case):
    assert _outcome(ember, CASES[case]) == _outcome(torch, CASES[case])


def test_reductions_write_out():
    # (known values, with torch absent too: these reductions used to ignore out=)
    x = ember.arange(6.0).reshape(2, 3)
    for name, args, want in [
        ("sum", (0,), [3.0, 5.0, 7.0]),
        ("mean", (1,), [1.0, 4.0]),
        ("amax", (0,), [3.0, 4.0, 5.0]),
        ("logsumexp", (0,), None),
    ]:
        z = ember.zeros(len(want) if want else 3)
        assert getattr(ember, name)(x, *args, out=z) is z
        expect = want if want else getattr(ember, name)(x, *args).tolist()
        assert z.tolist() == pytest.approx(expect)
    z = ember.zeros(2, 3)
    assert ember.cumsum(x, 1, out=z) is z and z.tolist() == [[0, 1, 3], [3, 7, 12]]
    v, i = ember.zeros(2, 3), ember.zeros(2, 3, dtype=ember.int64)
    r = ember.sort(-x, 1, out=(v, i))
    assert type(r).__name__ == "sort_out" and r.values is v and i.tolist() == [[2, 1, 0]] * 2
    with pytest.raises(RuntimeError, match=r"sum\(\): functions with out="):
        ember.sum(x.requires_grad_(), 0, out=ember.zeros(3))
