"""64-bit SimHash (Charikar) over weighted string tokens."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import numpy as np

MASK64 = (1 << 64) - 1
_BIT_SHIFTS = np.arange(64, dtype=np.uint64)
# Sums of whole-number weights below this are exact in float64.
_EXACT_LIMIT = float(1 << 53)


def token_hash(token: str) -> int:
    """Return a stable 64-bit hash of `token` (BLAKE2b, 8 bytes, big-endian)."""
    digest = hashlib.blake2b(
        token.encode("utf-8", errors="surrogatepass"), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big")


def simhash(weights: Mapping[str, float]) -> int | None:
    """Return the 64-bit SimHash of weighted tokens, or None without tokens.

    Each token's hash adds its weight to the bits it has set and subtracts
    it from the others; a bit of the result is 1 when its sum is positive.
    """
    if not weights:
        return None
    count = len(weights)
    values = np.fromiter(weights.values(), dtype=np.float64, count=count)
    total = float(np.abs(values).sum())
    if total < _EXACT_LIMIT and bool(np.all(values == np.floor(values))):
        # Whole-number weights (token counts) sum exactly in any order, so
        # the matrix product gives the same bits as the loop below: the sum
        # for a bit is twice the weight of the tokens that set it, minus
        # the total weight.
        hashes = np.fromiter(map(token_hash, weights), dtype=np.uint64, count=count)
        bits = ((hashes[:, None] >> _BIT_SHIFTS) & np.uint64(1)).astype(np.float64)
        sums = 2.0 * (values @ bits) - values.sum()
        result = 0
        for bit in np.flatnonzero(sums > 0).tolist():
            result |= 1 << bit
        return result
    return _simhash_loop(weights)


def _simhash_loop(weights: Mapping[str, float]) -> int:
    sums = [0.0] * 64
    for token, weight in weights.items():
        value = token_hash(token)
        for bit in range(64):
            if value >> bit & 1:
                sums[bit] += weight
            else:
                sums[bit] -= weight
    result = 0
    for bit in range(64):
        if sums[bit] > 0:
            result |= 1 << bit
    return result


def simhash_tokens(tokens: Iterable[str]) -> int | None:
    """Return the SimHash of `tokens`, each occurrence weighing 1."""
    counts: dict[str, float] = {}
    for token in tokens:
        counts[token] = counts.get(token, 0.0) + 1.0
    return simhash(counts)


def majority(values: Iterable[int]) -> int | None:
    """Return the bitwise majority of 64-bit values (ties give 0), or None."""
    votes = [0] * 64
    count = 0
    for value in values:
        count += 1
        for bit in range(64):
            if value >> bit & 1:
                votes[bit] += 1
    if not count:
        return None
    result = 0
    for bit in range(64):
        if votes[bit] * 2 > count:
            result |= 1 << bit
    return result


def to_hex(value: int) -> str:
    """Format a 64-bit value as 16 lower-case hex digits."""
    return f"{value & MASK64:016x}"


def hamming(a: int, b: int) -> int:
    """Return the number of differing bits between two 64-bit values."""
    return (a ^ b).bit_count()
