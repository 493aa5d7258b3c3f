"""Compiled kernels for frequent itemset mining (private to :mod:`crmlib.basket`).

The miner is depth-first with occurrence deliver (as in Uno's LCM): the baskets are kept as
rows of item ranks, and an itemset is represented by its occurrences, the positions of its
last item in the rows holding it. Scanning each occurrence's row to its end counts every
extension by a later item at once; the frequent extensions receive the positions found
(their own occurrences) and are explored in turn, deepest first, so memory holds one path
of the search. Items are ranked from the rarest to the most common, so the rows scanned are
those of rare itemsets and the tails scanned are short.

The kernels are compiled on first use and the machine code is cached (``cache=True``: in
``__pycache__`` beside this file, or numba's user cache where that is not writable). They
are written with plain loops and no helper calls, which keeps compilation short. They run
on one core and give the same output for the same input.
"""

from __future__ import annotations

import numpy as np
from numba import njit

OVERFLOW = -1
"""Status returned by :func:`mine` when more than ``cap`` itemsets were found."""

PARENT, ITEM, COUNT, LENGTH = range(4)
"""Columns of the itemsets returned by :func:`mine`."""


@njit(cache=True, nogil=True)
def repeated_items(indptr: np.ndarray, codes: np.ndarray, n_items: int) -> np.ndarray:
    """Mask of the entries that repeat an item earlier in the same basket.

    ``codes[indptr[b]:indptr[b + 1]]`` are the item codes of basket ``b``.
    """
    last = np.full(n_items, -1, dtype=np.int64)  # last basket seen holding each item
    repeated = np.zeros(len(codes), dtype=np.bool_)
    for b in range(len(indptr) - 1):
        for k in range(indptr[b], indptr[b + 1]):
            item = codes[k]
            if last[item] == b:
                repeated[k] = True
            else:
                last[item] = b
    return repeated


@njit(cache=True, nogil=True)
def mine(
    indptr: np.ndarray,
    codes: np.ndarray,
    order: np.ndarray,
    item_counts: np.ndarray,
    min_count: int,
    max_len: int,
    cap: int,
) -> tuple[int, np.ndarray]:
    """Every itemset held by at least ``min_count`` baskets, up to ``max_len`` items.

    Parameters
    ----------
    indptr, codes : int64 arrays
        Baskets as rows: ``codes[indptr[b]:indptr[b + 1]]`` are the distinct item codes of
        basket ``b``.
    order : int64 array
        Codes of the frequent items (count >= ``min_count``), rarest first.
    item_counts : int64 array
        Baskets holding each item code.
    min_count : int
        Smallest basket count of an itemset to report (>= 1).
    max_len : int
        Longest itemset to report (>= 1).
    cap : int
        Stop once more than ``cap`` itemsets were found.

    Returns
    -------
    status : int
        Number of itemsets found, or ``OVERFLOW`` if it passed ``cap`` (the array then
        holds the ``cap + 1`` itemsets found before stopping).
    found : int64 array, shape (itemsets, 4)
        Columns ``PARENT, ITEM, COUNT, LENGTH``: itemset ``i`` is itemset ``parent`` (its
        row, -1 for none) plus item code ``item``; it has ``length`` items and is held by
        ``count`` baskets. A parent comes before its children.
    """
    n_freq = len(order)
    rank = np.full(len(item_counts), -1, dtype=np.int64)
    for r in range(n_freq):
        rank[order[r]] = r

    n_out = min(n_freq, cap + 1)
    out = np.empty((max(16, n_out + n_freq), 4), dtype=np.int64)
    for r in range(n_out):
        out[r, PARENT], out[r, ITEM] = -1, order[r]
        out[r, COUNT], out[r, LENGTH] = item_counts[order[r]], 1
    if n_out > cap:
        return OVERFLOW, out[:n_out]
    if max_len == 1 or n_freq < 2:
        return n_out, out[:n_out]

    # Rows of frequent item ranks, ascending, each ended by -1, leaving out rows of fewer
    # than two. Narrow and without gaps, so scanning the rows of an itemset stays in cache.
    rows = np.empty(len(codes) + len(indptr), dtype=np.int32)
    nnz = 0
    for b in range(len(indptr) - 1):
        start = nnz
        for k in range(indptr[b], indptr[b + 1]):
            r = rank[codes[k]]
            if r >= 0:  # insertion sort: rows are short
                j = nnz - 1
                while j >= start and rows[j] > r:
                    rows[j + 1] = rows[j]
                    j -= 1
                rows[j + 1] = r
                nnz += 1
        if nnz - start < 2:
            nnz = start
        else:
            rows[nnz] = -1
            nnz += 1

    # ``occ`` is a stack of occurrence lists: the extensions of the itemset being expanded
    # own consecutive slices above those of its ancestors. The first are the single items.
    occ = np.empty(max(16, 2 * nnz), dtype=np.int64)
    ext = np.empty((n_freq + 16, 4), dtype=np.int64)  # rank, occ start, occ end, out row
    counts = np.zeros(n_freq + 1, dtype=np.int64)
    for p in range(nnz):
        if rows[p] >= 0:
            counts[rows[p] + 1] += 1
    for r in range(n_freq):
        counts[r + 1] += counts[r]
        ext[r, 0], ext[r, 1], ext[r, 2], ext[r, 3] = r, counts[r], counts[r], r
    for p in range(nnz):
        r = rows[p]
        if r >= 0:
            occ[ext[r, 2]] = p
            ext[r, 2] += 1

    # Frames, one per depth d (itemsets of d + 1 items): extensions ext[lo:hi], the next
    # to expand ``cur``, and the top of ``occ`` and of ``ext`` below the frame.
    depth = min(max_len, n_freq) + 1
    frame = np.zeros((depth, 4), dtype=np.int64)  # lo, hi, cur, occ top
    frame[0, 1], frame[0, 3] = n_freq, nnz
    n_ext, top = n_freq, nnz

    seen = np.zeros(n_freq, dtype=np.int64)  # extension counts of the itemset expanded
    chosen = np.empty(n_freq, dtype=np.int64)
    slot = np.empty(n_freq, dtype=np.int64)
    d = 0
    while d >= 0:
        e = frame[d, 2]
        if e == frame[d, 1]:
            n_ext, top = frame[d, 0], frame[d, 3]
            d -= 1
            continue
        frame[d, 2] += 1
        if d + 2 > max_len:
            continue
        # Count the extensions of itemset e by items ranked after its last one.
        n_new = 0
        for j in range(ext[e, 1], ext[e, 2]):
            q = occ[j] + 1
            while rows[q] >= 0:
                r = rows[q]
                if seen[r] == 0:
                    chosen[n_new] = r
                    n_new += 1
                seen[r] += 1
                q += 1
        n_seen, n_new = n_new, 0
        for t in range(n_seen):
            r = chosen[t]
            if seen[r] >= min_count:
                chosen[n_new] = r
                n_new += 1
            else:
                seen[r] = 0
        if n_new == 0:
            continue
        if n_new <= 32:  # few: insertion sort
            for i in range(1, n_new):
                v, j = chosen[i], i - 1
                while j >= 0 and chosen[j] > v:
                    chosen[j + 1] = chosen[j]
                    j -= 1
                chosen[j + 1] = v
        else:  # many: collect them in rank order
            n_new = 0
            for r in range(ext[e, 0] + 1, n_freq):
                if seen[r] >= min_count:
                    chosen[n_new] = r
                    n_new += 1
        # Make room (doubling), output the extensions, reserve their occurrence slices.
        needed = top
        for t in range(n_new):
            needed += seen[chosen[t]]
        if needed > len(occ):
            bigger = np.empty(max(needed, 2 * len(occ)), dtype=np.int64)
            for j in range(top):
                bigger[j] = occ[j]
            occ = bigger
        if n_out + n_new > len(out) or n_ext + n_new > len(ext):
            size = max(n_out + n_new, 2 * len(out))
            bigger2 = np.empty((size, 4), dtype=np.int64)
            for i in range(n_out):
                for c in range(4):
                    bigger2[i, c] = out[i, c]
            out = bigger2
            size = max(n_ext + n_new, 2 * len(ext))
            bigger2 = np.empty((size, 4), dtype=np.int64)
            for i in range(n_ext):
                for c in range(4):
                    bigger2[i, c] = ext[i, c]
            ext = bigger2
        d += 1
        frame[d, 0], frame[d, 1], frame[d, 2], frame[d, 3] = n_ext, n_ext + n_new, n_ext, top
        for t in range(n_new):
            r = chosen[t]
            out[n_out, PARENT], out[n_out, ITEM] = ext[e, 3], order[r]
            out[n_out, COUNT], out[n_out, LENGTH] = seen[r], d + 1
            ext[n_ext, 0], ext[n_ext, 1], ext[n_ext, 2], ext[n_ext, 3] = r, top, top, n_out
            slot[r] = n_ext
            top += seen[r]
            seen[r] = -1  # marks the chosen for the delivery below
            n_ext += 1
            n_out += 1
            if n_out > cap:
                return OVERFLOW, out[:n_out]
        # Deliver the occurrences to the chosen extensions.
        for j in range(ext[e, 1], ext[e, 2]):
            q = occ[j] + 1
            while rows[q] >= 0:
                r = rows[q]
                if seen[r] < 0:
                    s = slot[r]
                    occ[ext[s, 2]] = q
                    ext[s, 2] += 1
                q += 1
        for t in range(n_new):
            seen[chosen[t]] = 0
    return n_out, out[:n_out]
