"""The backward engine: runs the graph's nodes in dependency order, iteratively.

``backward`` accumulates into the ``.grad`` of leaves; ``grad`` returns the gradients of chosen
inputs instead. Both go through ``execute``:

1. collect the nodes reachable from the roots (an explicit stack: deep graphs never hit
   Python's recursion limit) and count each node's incoming edges;
2. keep a buffer of output gradients per node; a node runs when every edge into it has
   delivered, so it sees the sum of all its gradients;
3. sum each returned gradient back to its input's shape (broadcasting is undone here, once,
   for every op) and cast it to the input's dtype, then pass it down the edge.
"""

from __future__ import annotations

from ..backend import ones_like_array, sum_to_shape_array, zeros_array
from .grad_mode import STATE

__all__ = ["backward", "grad", "execute"]

Tensor = None  # bound by ember.tensor


def _bind_tensor(cls) -> None:
    global Tensor
    Tensor = cls


_CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using autograd.grad "
    "when creating the graph to avoid this. If you have to use this function, make sure to "
    "reset the .grad fields of your parameters to None after use to break the cycle and avoid "
    "the leak."
)
_WARNED = [False]  # torch gives this warning once per process


class Anomaly:
    enabled = False
    check_nan = True


def _make_root_grads(tensors, grad_tensors, create_graph):
    out = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if t._data.dtype.kind not in "fc":
                raise RuntimeError(
                    f"grad can be implicitly created only for real scalar outputs but got {t.dtype}"
                )
            out.append(Tensor._make(ones_like_array(t._data), False, None))
            continue
        if not isinstance(g, Tensor):
            from ..ops.creation import tensor as make_tensor

            g = make_tensor(g, dtype=t.dtype)
        if g._data.shape != t._data.shape:
            from ..size import Size

            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g._data.shape)} and "
                f"output[{i}] has a shape of {Size(t._data.shape)}."
            )
        if not create_graph:
            # the engine may hand this array to a leaf's .grad: never alias the caller's tensor
            g = Tensor._make(g._data.copy(), False, None)
        out.append(g)
    return out


def _sum_to_shape(g, shape, node, index):
    gshape = g._data.shape
    lead = len(gshape) - len(shape)
    if lead < 0 or (
        gshape[lead:] != shape and any(s != 1 and s != gs for s, gs in zip(shape, gshape[lead:]))
    ):
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {index} - got "
            f"{list(gshape)} but expected shape compatible with {list(shape)}"
        )
    if not STATE.enabled:  # no graph of the backward: sum the array
        return Tensor._make(sum_to_shape_array(g._data, shape), False, None)
    from ..ops.reduction import sum_to_size

    return sum_to_size(g, shape)


def _cast(g, dtype):
    return Tensor._make(g._data.astype(dtype), False, None)


def _run_leaf_hooks(leaf, g):
    for fn in list(leaf._hooks.values()):
        r = fn(g)
        if r is not None:
            g = r
    return g


def _accumulate_leaf(leaf, g, create_graph, handed, hooks=True, foreign=False):
    # a tensor a hook returned may be the caller's (foreign): never adopt it as .grad
    if hooks and leaf._hooks:
        g2 = _run_leaf_hooks(leaf, g)
        foreign = foreign or g2 is not g
        g = g2
    old = leaf._grad
    if old is None:
        if create_graph:
            leaf._grad = g
        else:
            a = g._data
            owner = a.base
            if owner is None:
                owner = a
            flags = a.flags
            if (
                foreign
                or id(owner) in handed
                or not flags.writeable
                or (not flags.c_contiguous and leaf._data.flags.c_contiguous)
            ):
                a = a.copy()
                owner = a
            handed[id(owner)] = owner
            leaf._grad = Tensor._make(a, False, None)
    elif create_graph or g._rg or old._rg:
        leaf._grad = old + g
    else:
        od = old._data
        gd = g._data
        if od.shape == gd.shape and od.flags.writeable:
            od += gd
            vc = old._vc
            if vc is not None:
                vc[0] += 1
        else:
            leaf._grad = Tensor._make(od + gd, False, None)
    post = leaf._post_acc_hooks
    if post:
        for fn in list(post.values()):
            fn(leaf)


def _pre_hooks(node, grads):
    grads = list(grads)
    hooks = node._pre_hooks
    if hooks:
        for nr, fns in hooks.items():
            if grads[nr] is None:
                continue
            for fn in list(fns.values()):
                r = fn(grads[nr])
                if r is not None:
                    grads[nr] = r
    retained = node._retained
    if retained:
        for nr, ref in retained.items():
            t = ref()
            g = grads[nr]
            if t is None or g is None:
                continue
            if t._grad is None:
                t._grad = g if g._rg else Tensor._make(g._data.copy(), False, None)
            else:
                t._grad = t._grad + g
    node_hooks = node._prehooks_node
    if node_hooks:
        for fn in list(node_hooks.values()):
            r = fn(tuple(grads))
            if r is not None:
                grads = list(r)
    return grads


def _materialize(node, grads):
    meta = node._out_meta
    out = list(grads)
    for i, g in enumerate(out):
        if g is None and meta is not None and meta[i] is not None:
            shape, dt = meta[i]
            out[i] = Tensor._make(zeros_array(shape, dt), False, None)
    return out


def _collect(root_nodes):
    """Every node reachable from ``root_nodes``, in discovery order."""
    seen = set(root_nodes)
    stack = list(root_nodes)
    order = []
    while stack:
        node = stack.pop()
        order.append(node)
        for edge in node._next:
            if not edge:
                continue
            tgt = edge[0]
            if isinstance(tgt, Tensor) or tgt in seen:
                continue
            seen.add(tgt)
            stack.append(tgt)
    return order


def _count_edges(root_nodes, leaves):
    """One walk of the graph: the number of edges into each node reachable from
    ``root_nodes``, and (in ``leaves``: id -> [leaf, gradient, edges]) into each leaf."""
    roots = set(root_nodes) if len(root_nodes) > 1 else ()  # (one root: no edge reaches it)
    stack = list(root_nodes)
    deps = {}  # (a node's first edge also tells that it is new: walk its edges once)
    while stack:
        node = stack.pop()
        for edge in node._next:
            if not edge:
                continue
            tgt = edge[0]
            if isinstance(tgt, Tensor):
                entry = leaves.get(id(tgt))
                if entry is None:
                    leaves[id(tgt)] = [tgt, None, 1]
                else:
                    entry[2] += 1
                continue
            n = deps.get(tgt)
            if n is None:
                deps[tgt] = 1
                if tgt not in roots:  # (a root's edges are walked from the start)
                    stack.append(tgt)
            else:
                deps[tgt] = n + 1
    return deps


def _needed(order, leaf_targets, node_targets):
    """The nodes from which a captured input can be reached (others need not run)."""
    needed = set()
    # ``order`` lists each node after the node that discovered it; reverse gives children first
    # for tree edges, so iterate until stable for shared subgraphs (rarely more than one pass).
    changed = True
    while changed:
        changed = False
        for node in reversed(order):
            if node in needed:
                continue
            if node in node_targets:
                needed.add(node)
                changed = True
                continue
            for edge in node._next:
                if not edge:
                    continue
                tgt = edge[0]
                if (isinstance(tgt, Tensor) and id(tgt) in leaf_targets) or tgt in needed:
                    needed.add(node)
                    changed = True
                    break
    return needed


def _count_needed(order, needed, leaves, leaf_targets):
    """``_count_edges`` for ``autograd.grad``: only edges between needed nodes, only captured
    leaves (a node absent from the counts is one the pass skips)."""
    deps = {}
    for node in order:
        if node not in needed:
            continue
        for edge in node._next:
            if not edge:
                continue
            tgt = edge[0]
            if isinstance(tgt, Tensor):
                if id(tgt) not in leaf_targets:
                    continue
                entry = leaves.get(id(tgt))
                if entry is None:
                    leaves[id(tgt)] = [tgt, None, 1]
                else:
                    entry[2] += 1
            elif tgt in needed:
                deps[tgt] = deps.get(tgt, 0) + 1
    return deps


def _all_none(grads) -> bool:
    for g in grads:  # by identity: list.count would compare tensors with None
        if g is not None:
            return False
    return True


def _deliver_leaf(entry, create_graph, handed, captured, leaf_targets):
    """A leaf's summed gradient, once every edge into it has delivered: into ``.grad``, or
    into ``captured`` for ``autograd.grad``."""
    leaf, g = entry[0], entry[1]
    if g is None:
        return
    if leaf_targets is None:
        _accumulate_leaf(leaf, g, create_graph, handed)
        return
    if leaf._hooks:
        g = _run_leaf_hooks(leaf, g)
    for j in leaf_targets.get(id(leaf), ()):
        captured[j] = g if captured[j] is None else captured[j] + g


def execute(roots, root_grads, retain_graph, create_graph, inputs=None, accumulate=False):
    """Run backward from ``roots`` (tensors) seeded with ``root_grads``.

    With ``inputs`` None, gradients accumulate into the leaves' ``.grad``. Otherwise the
    gradient reaching each tensor of ``inputs`` is returned (None where none arrives), and no
    ``.grad`` is touched unless ``accumulate`` (``backward(inputs=...)``).

    A leaf's gradient is summed over every path before its hooks run and it reaches ``.grad``
    (so a hook sees the whole gradient once), as torch's AccumulateGrad node does. The whole
    pass, hooks included, runs with grad mode set to ``create_graph``, as torch's does.
    """
    capture = inputs is not None
    leaf_targets = None
    node_targets = {}
    captured = [None] * (len(inputs) if capture else 0)
    if capture:
        leaf_targets = {}
        for i, t in enumerate(inputs):
            if t.grad_fn is None:
                leaf_targets.setdefault(id(t), []).append(i)
            else:
                node_targets.setdefault(t.grad_fn, []).append((t._output_nr, i))

    handed = {}
    buffers = {}
    root_nodes = []
    # id(leaf) -> [leaf, summed gradient, edges still to deliver]
    leaves = {}
    leaf_roots = False
    for t, g in zip(roots, root_grads):
        fn = t.grad_fn
        if fn is None:
            if not t._rg:
                raise RuntimeError(
                    "element 0 of tensors does not require grad and does not have a grad_fn"
                )
            if not capture or id(t) in leaf_targets:
                leaf_roots = True
                entry = leaves.get(id(t))
                if entry is None:
                    leaves[id(t)] = [t, g, 0]
                else:
                    entry[1] = entry[1] + g
            continue
        buf = buffers.get(fn)
        if buf is None:
            buf = buffers[fn] = [None] * fn._n_out
            root_nodes.append(fn)
        nr = t._output_nr
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    needed = None
    if capture:
        order = _collect(root_nodes)
        needed = _needed(order, leaf_targets, node_targets)
        deps = _count_needed(order, needed, leaves, leaf_targets)
    else:
        deps = _count_edges(root_nodes, leaves)
    ready = []  # (a loop: a comprehension is a frame of its own, costly on small graphs)
    for n in root_nodes:
        if n not in deps and (needed is None or n in needed):
            ready.append(n)

    anomaly = Anomaly.enabled
    prev = STATE.enabled
    STATE.enabled = create_graph
    try:
        for entry in leaves.values() if leaf_roots else ():
            if entry[2] == 0:  # a root that no node reaches: complete already
                _deliver_leaf(entry, create_graph, handed, captured, leaf_targets)
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None) or [None] * node._n_out
            hooked = node._hooked
            if hooked and (node._pre_hooks or node._retained or node._prehooks_node):
                grads = _pre_hooks(node, grads)
            if capture and node in node_targets:
                for nr, i in node_targets[node]:
                    g = grads[nr]
                    if g is not None:
                        captured[i] = g if captured[i] is None else captured[i] + g
            edges = node._next
            n_out = node._n_out
            if (grads[0] is None) if n_out == 1 else _all_none(grads):
                # nothing flows through this node: its inputs receive nothing from it
                in_grads = (None,) * len(edges)
            else:
                if n_out > 1 and node.materialize_grads:
                    grads = _materialize(node, grads)
                in_grads = node._fn.backward(node, *grads)
                if type(in_grads) is not tuple or len(in_grads) != len(edges):
                    in_grads = _check_count(node, in_grads, len(edges))
                if hooked and node._post_hooks:
                    for fn in list(node._post_hooks.values()):
                        r = fn(in_grads, tuple(grads))
                        if r is not None:
                            in_grads = tuple(r)
            for i, edge in enumerate(edges):
                if not edge:
                    continue
                tgt, nr, shape, dtype = edge
                g = in_grads[i]
                if g is not None:
                    if not isinstance(g, Tensor):
                        g = Tensor._make(g, False, None)
                    gd = g._data
                    if gd.shape != shape:
                        g = _sum_to_shape(g, shape, node, i)
                        gd = g._data
                    dt = gd.dtype
                    if dt is not dtype and dt != dtype:
                        g = g.to(dtype) if create_graph else _cast(g, dtype)
                    if anomaly:
                        _check_anomaly(node, g, i)
                if isinstance(tgt, Tensor):
                    entry = leaves.get(id(tgt))
                    if entry is None:  # not an input of autograd.grad
                        continue
                    if g is not None:
                        entry[1] = g if entry[1] is None else entry[1] + g
                    entry[2] -= 1
                    if entry[2] == 0:
                        if leaf_targets is None and entry[1] is not None:  # (_deliver_leaf's)
                            _accumulate_leaf(tgt, entry[1], create_graph, handed)
                        else:
                            _deliver_leaf(entry, create_graph, handed, captured, leaf_targets)
                    continue
                left = deps.get(tgt)
                if left is None:  # a node autograd.grad need not run (``_count_needed``)
                    continue
                if g is not None:
                    buf = buffers.get(tgt)
                    if buf is None:
                        if tgt._n_out == 1:
                            buffers[tgt] = [g]
                        else:
                            buffers[tgt] = buf = [None] * tgt._n_out
                            buf[nr] = g
                    else:
                        buf[nr] = g if buf[nr] is None else buf[nr] + g
                left -= 1
                deps[tgt] = left
                if left == 0:
                    ready.append(tgt)
            if not retain_graph and node._saved:
                node._release()
        if accumulate:
            for t, g in zip(inputs, captured):
                if g is not None:  # hooks already ran when the gradient was captured
                    _accumulate_leaf(t, g, create_graph, handed, False, bool(t._hooks))
    finally:
        STATE.enabled = prev
    return captured


def _check_count(node, in_grads, n):
    if type(in_grads) is not tuple:
        in_grads = (in_grads,) if not isinstance(in_grads, list) else tuple(in_grads)
    if len(in_grads) != n:
        if len(in_grads) > n and all(g is None for g in in_grads[n:]):
            return in_grads[:n]
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients "
            f"(expected {n}, got {len(in_grads)})"
        )
    return in_grads


def _check_anomaly(node, g, index):
    from ..backend import get_array_module

    xp = get_array_module(g._data)
    if g._data.dtype.kind == "f" and xp.isnan(g._data).any():
        raise RuntimeError(f"Function '{node.name()}' returned nan values in its {index}th output.")


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def backward(
    tensors,
    grad_tensors=None,
    retain_graph=None,
    create_graph=False,
    grad_variables=None,
    inputs=None,
):
    """Accumulate into the leaves' ``.grad`` the gradients of ``tensors`` (weighted by
    ``grad_tensors``; scalars may omit it). ``inputs`` limits which leaves receive them."""
    if (
        grad_tensors is None
        and grad_variables is None
        and inputs is None
        and not create_graph
        and isinstance(tensors, Tensor)
        and tensors.grad_fn is not None
    ):
        d = tensors._data
        if d.size == 1 and d.dtype.kind in "fc":  # a loss's backward(): nothing else to check
            seed = Tensor._make(ones_like_array(d), False, None)
            execute((tensors,), [seed], bool(retain_graph), False)
            return
    tensors = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    grad_tensors = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(
            f"grad_tensors should have the same length as tensors: got {len(grad_tensors)} "
            f"and {len(tensors)}"
        )
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph and not _WARNED[0]:
        _WARNED[0] = True
        import warnings

        warnings.warn(_CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)
    roots = _make_root_grads(tensors, grad_tensors, create_graph)  # shapes checked first
    for i, t in enumerate(tensors):
        if not t._rg:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        execute(tensors, roots, retain_graph, create_graph, inputs, accumulate=True)
        return
    execute(tensors, roots, retain_graph, create_graph)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple, without touching
    any ``.grad``. ``create_graph=True`` records the computation for higher derivatives."""
    if is_grads_batched:
        raise NotImplementedError("ember.autograd.grad: is_grads_batched=True is not supported")
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and not allow_unused:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True"
        )
    grad_outputs = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(grad_outputs)} for "
            f"{len(outputs)} outputs"
        )
    for i, t in enumerate(outputs):
        if not t._rg:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    roots = _make_root_grads(outputs, grad_outputs, create_graph)
    grads = execute(outputs, roots, retain_graph, create_graph, inputs)
    result = []
    for i, (t, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
            if materialize_grads:
                from ..ops.creation import zeros_like

                g = zeros_like(t)
        elif not create_graph and g._rg:
            g = g.detach()
        result.append(g)
    return tuple(result)
