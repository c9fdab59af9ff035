"""Named tuples some ops return, printed as torch prints them::

torch.return_types.max(
values=tensor([3., 4.]),
indices=tensor([1, 1]))
"""

from __future__ import annotations

__all__ = [
    "max",
    "min",
    "max_out",
    "min_out",
    "sort",
    "sort_out",
    "topk",
    "topk_out",
    "kthvalue",
    "kthvalue_out",
    "median",
    "median_out",
    "nanmedian",
    "nanmedian_out",
    "mode",
    "mode_out",
    "cummax",
    "cummin",
    "aminmax",
    "var_mean",
    "std_mean",
    "slogdet",
    "qr",
    "svd",
    "eigh",
    "lu_factor",
]


def _structseq(name: str, fields: tuple):
    def __new__(cls, values):
        values = tuple(values)
        if len(values) != len(fields):
            raise TypeError(f"ember.return_types.{name} takes a {len(fields)}-sequence")
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"ember.return_types.{name}(\n{body})"

    def __reduce__(self):
        return (cls, (tuple(self),))

    namespace = {
        "__new__": __new__,
        "__repr__": __repr__,
        "__reduce__": __reduce__,
        "__slots__": (),
        "_fields": fields,
        "n_fields": len(fields),
        "n_sequence_fields": len(fields),
        "__module__": "ember.return_types",
    }
    for i, f in enumerate(fields):
        namespace[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    cls = type(name, (tuple,), namespace)
    return cls


max = _structseq("max", ("values", "indices"))
max_out = _structseq("max_out", ("values", "indices"))  # max(x, dim, out=(values, indices))
min_out = _structseq("min_out", ("values", "indices"))
min = _structseq("min", ("values", "indices"))
sort = _structseq("sort", ("values", "indices"))
sort_out = _structseq("sort_out", ("values", "indices"))
topk = _structseq("topk", ("values", "indices"))
topk_out = _structseq("topk_out", ("values", "indices"))
kthvalue = _structseq("kthvalue", ("values", "indices"))
kthvalue_out = _structseq("kthvalue_out", ("values", "indices"))
median = _structseq("median", ("values", "indices"))
median_out = _structseq("median_out", ("values", "indices"))
nanmedian = _structseq("nanmedian", ("values", "indices"))
nanmedian_out = _structseq("nanmedian_out", ("values", "indices"))
mode = _structseq("mode", ("values", "indices"))
mode_out = _structseq("mode_out", ("values", "indices"))
cummax = _structseq("cummax", ("values", "indices"))
cummin = _structseq("cummin", ("values", "indices"))
aminmax = _structseq("aminmax", ("min", "max"))
var_mean = _structseq("var_mean", ("var", "mean"))
std_mean = _structseq("std_mean", ("std", "mean"))
slogdet = _structseq("slogdet", ("sign", "logabsdet"))
qr = _structseq("qr", ("Q", "R"))
svd = _structseq("svd", ("U", "S", "Vh"))
eigh = _structseq("eigh", ("eigenvalues", "eigenvectors"))
lu_factor = _structseq("lu_factor", ("LU", "pivots"))
