"""Every op, forward and backward together, one file per family.

``pointwise`` (``arith``, ``unary``, ``compare``), ``reduction``, ``sorting``, ``shape``,
``indexing``, ``linalg``, ``creation``, ``random``; ``inplace`` turns any op into its in-place
form.
"""
