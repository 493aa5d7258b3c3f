"""Compiled kernels for frequent itemset mining (private to :mod:`crmlib.basket`).

The miner is depth-first with projected databases (as in Eclat and LCM, on rows rather
than tidlists). Items are ranked from the rarest to the most common and each basket is a
row of its frequent item ranks, ascending. The database of an itemset holds, for every
basket containing it, the tail of the row after the itemset's last item. One pass over it
counts every extension by a later item (the support of the itemset plus that item); a
second writes the databases of the frequent extensions, each row's tail after each of
them, keeping only the frequent extensions' items (no other item can extend them). Tails
of one item are kept apart, as a plain list: they count, but extend nothing. The search
goes deepest first, so memory holds the databases along one path of the search, and rows
of rare itemsets are few and their tails short.

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

    # The projected database of the empty itemset: each basket as a row [m, r1 < ... < rm]
    # of its frequent item ranks, leaving out rows of fewer than two.
    db = np.empty(max(64, len(codes) + len(indptr)), dtype=np.int32)
    row = np.empty(n_freq, dtype=np.int64)
    top = 0
    for b in range(len(indptr) - 1):
        m = 0
        for k in range(indptr[b], indptr[b + 1]):
            r = rank[codes[k]]
            if r >= 0:
                row[m] = r
                m += 1
        if m < 2:
            continue
        db[top] = m
        for i in range(m):  # sort: each rank goes after the smaller ones (no branches)
            smaller = 0
            for j in range(m):
                smaller += row[j] < row[i]
            db[top + 1 + smaller] = row[i]
        top += m + 1

    # Frames, one per depth d (itemsets of d + 1 items): their itemsets ext[lo:hi], the
    # next to expand ``cur``, and the top of ``db`` below the frame's databases.
    # ext rows: rank of the last item, database rows start and end, output row, then the
    # tails of one item start and end (they fill the database's room from its end down).
    depth = min(max_len, n_freq) + 1
    frame = np.zeros((depth, 4), dtype=np.int64)  # lo, hi, cur, db top
    ext = np.empty((2 * n_freq + 16, 6), dtype=np.int64)
    frequent = np.zeros(n_freq, dtype=np.int64)  # counts in the database expanded
    bound = np.zeros(n_freq, dtype=np.int64)  # room for each extension's database
    chosen = np.empty(n_freq + 1, dtype=np.int64)
    slot = np.full(n_freq, -1, dtype=np.int64)
    kept = np.empty(n_freq + 1, dtype=np.int64)
    # The single items form frame 0; expanding the root (all of ``db``) gives their
    # databases, as for any other itemset below (with the counts known already).
    root_lo, root_hi = 0, top
    n_ext = 0
    d = -1
    e = -1
    while True:
        if e >= 0:
            lo, hi, single_lo, single_hi = ext[e, 1], ext[e, 2], ext[e, 4], ext[e, 5]
        else:
            lo, hi, single_lo, single_hi = root_lo, root_hi, 0, 0
        # Count the extensions by later items, and the room their databases need.
        n_new = 0
        p = lo
        while p < hi:
            m = db[p]
            for k in range(m):
                r = db[p + 1 + k]
                chosen[n_new] = r  # kept if seen for the first time (no branch)
                n_new += frequent[r] == 0
                frequent[r] += 1
                bound[r] += m - k  # the last item's (k = m - 1) is taken off below
            bound[db[p + m]] -= 1
            p += m + 1
        for p in range(single_lo, single_hi):  # rows of one item
            r = db[p]
            chosen[n_new] = r
            n_new += frequent[r] == 0
            frequent[r] += 1
        n_seen, n_new = n_new, 0
        if e < 0:  # the root: every frequent item, with its count
            n_new = n_freq
            for r in range(n_freq):
                frequent[r] = 0
                chosen[r] = r
        else:
            for t in range(n_seen):
                r = chosen[t]
                if frequent[r] >= min_count:
                    chosen[n_new] = r
                    n_new += 1
                else:
                    frequent[r], bound[r] = 0, 0
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
                    if frequent[r] >= min_count:
                        chosen[n_new] = r
                        n_new += 1
        if n_new > 0:
            # Output the extensions (the root's are output already), reserve their
            # databases above ``top`` and push their frame.
            if n_out + n_new > len(out) or n_ext + n_new > len(ext):
                bigger = np.empty((max(n_out + n_new, 2 * len(out)), 4), dtype=np.int64)
                for i in range(n_out):
                    for c in range(4):
                        bigger[i, c] = out[i, c]
                out = bigger
                bigger = np.empty((max(n_ext + n_new, 2 * len(ext)), 6), dtype=np.int64)
                for i in range(n_ext):
                    for c in range(6):
                        bigger[i, c] = ext[i, c]
                ext = bigger
            d += 1
            frame[d, 0], frame[d, 1], frame[d, 2], frame[d, 3] = n_ext, n_ext + n_new, n_ext, top
            deeper = d + 2 <= max_len  # will these itemsets be expanded?
            needed = top
            for t in range(n_new):
                r = chosen[t]
                if e >= 0:
                    out[n_out, PARENT], out[n_out, ITEM] = ext[e, 3], order[r]
                    out[n_out, COUNT], out[n_out, LENGTH] = frequent[r], d + 1
                    at = n_out
                    n_out += 1
                else:
                    at = r
                ext[n_ext, 0], ext[n_ext, 1], ext[n_ext, 2], ext[n_ext, 3] = r, needed, needed, at
                slot[r] = n_ext
                if deeper:
                    needed += bound[r]
                ext[n_ext, 4], ext[n_ext, 5] = needed, needed
                frequent[r], bound[r] = 0, 0
                n_ext += 1
                if n_out > cap:
                    return OVERFLOW, out[:n_out]
            if deeper:
                if needed > len(db):
                    bigger_db = np.empty(max(needed + needed // 2, 2 * len(db)), dtype=np.int32)
                    for j in range(top):
                        bigger_db[j] = db[j]
                    db = bigger_db
                # Write the databases: for each row, the tail after each chosen item,
                # keeping only the chosen items (no other can extend this itemset).
                p = lo
                while p < hi:
                    m = db[p]
                    n_kept = 0
                    for k in range(m):
                        r = db[p + 1 + k]
                        kept[n_kept] = r  # kept if chosen (no branch)
                        n_kept += slot[r] >= 0
                    for i in range(n_kept - 1):
                        f = kept[i]
                        s = slot[f]
                        if i == n_kept - 2:  # a row of one item: from the end down
                            ext[s, 4] -= 1
                            db[ext[s, 4]] = kept[i + 1]
                            continue
                        q = ext[s, 2]
                        db[q] = n_kept - i - 1
                        for j in range(i + 1, n_kept):
                            db[q + j - i] = kept[j]
                        ext[s, 2] = q + n_kept - i
                    p += m + 1
                top = needed
            for t in range(n_new):
                slot[chosen[t]] = -1
        # Next itemset to expand: the next of the deepest frame with one left.
        e = -1
        while d >= 0:
            if frame[d, 2] < frame[d, 1] and d + 2 <= max_len:
                e = frame[d, 2]
                frame[d, 2] += 1
                if ext[e, 2] > ext[e, 1] or ext[e, 5] > ext[e, 4]:
                    break
                e = -1
                continue
            n_ext, top = frame[d, 0], frame[d, 3]
            d -= 1
        if e < 0:
            break
    return n_out, out[:n_out]
