"""The bit-packed int64 keys of pixel selection: rank keys and what is packed with them.

A rank key is an int64 in ``[0, KEY_LIMIT)`` (``KEY_BITS`` = 31 bits) that orders candidates,
smaller = picked first. It is packed with a candidate's position (unique keys ordered like
``(key, position)``), under its class (sorted by ``(class, key)``), cut into histogram bins, or
halved to give its top bit to a flag ranked last. Every layout leaves int64's sign bit clear, so
a packed key orders like its fields.
"""

import torch
from torch import Tensor

KEY_BITS = 31  # a rank key: the bits of a non-negative float32, read as an int32
KEY_LIMIT = 1 << KEY_BITS  # rank keys are in [0, KEY_LIMIT)
KEY_MASK = KEY_LIMIT - 1
FLAG_BIT = KEY_BITS - 1  # the top bit of a rank key: set by flag_last, after the key is halved
POSITION_BITS = 31  # positions of candidates (< 2**31) under a rank key: 31 + 31 bits < 63
POSITION_MASK = (1 << POSITION_BITS) - 1
CLASS_SHIFT = 32  # classes (< 2**31) over a rank key: 31 + 32 bits < 63 (bit 31 stays clear)
KEY_BIN_SHIFT = 19  # a rank key's histogram bin: its top KEY_BITS - KEY_BIN_SHIFT = 12 bits
NUM_KEY_BINS = 1 << (KEY_BITS - KEY_BIN_SHIFT)  # rank keys in [0, 2**31) fall into 2**12 bins


def float_rank_key(values: Tensor, descending: bool = False) -> Tensor:
    """int64 keys in ``[0, 2**31)`` that order like the non-negative float32 ``values``
    (descending: in reverse).

    The bits of a non-negative float32 read as an int32 order like its value: they are at most
    ``KEY_MASK`` (NaN's largest), so ``KEY_MASK - bits`` reverses the order in the same range.
    Negative values (``-0.0`` too) read as negative ints: they are outside the contract.
    """
    bits = values.float().view(torch.int32).long()
    return KEY_MASK - bits if descending else bits


def flag_last(rank_key: Tensor, flag: Tensor) -> Tensor:
    """Rank keys in ``[0, 2**31)`` that put every ``flag``-ed entry after every other one:
    ``rank_key`` halved (keys one apart may tie; the order is otherwise kept) and the flag in
    its freed top bit, ``FLAG_BIT``."""
    return (rank_key >> 1) | (flag.long() << FLAG_BIT)


def pack_key_position(rank_key: Tensor, position: Tensor) -> Tensor:
    """int64 keys ordered like ``(rank_key, position)``, unique for distinct positions (in
    ``[0, 2**31)``): ``rank_key << POSITION_BITS`` leaves the low 31 bits to the position."""
    return (rank_key << POSITION_BITS) | position


def unpack_position(packed: Tensor) -> Tensor:
    """The position of :func:`pack_key_position`'s keys: their low ``POSITION_BITS``."""
    return packed & POSITION_MASK


def pack_class_key(classes: Tensor, rank_key: Tensor) -> Tensor:
    """int64 keys ordered like ``(classes, rank_key)`` for classes in ``[0, 2**31)``:
    ``classes << CLASS_SHIFT`` lies above every rank key's 31 bits and below the sign bit."""
    return (classes << CLASS_SHIFT) | rank_key


def unpack_class(packed: Tensor) -> Tensor:
    """The class of :func:`pack_class_key`'s keys: their bits from ``CLASS_SHIFT`` up."""
    return packed >> CLASS_SHIFT


def key_bin(rank_key: Tensor) -> Tensor:
    """Each rank key's histogram bin in ``[0, NUM_KEY_BINS)``: its top bits, so bins order like
    the keys (a radix select's first digit)."""
    return rank_key >> KEY_BIN_SHIFT
