"""The bit-packed int64 keys of pixel selection: rank keys and what is packed with them.

A rank key is an int64 in ``[0, KEY_LIMIT)`` (``KEY_BITS`` = 31 bits) that orders candidates,
smaller = picked first. It is packed with a candidate's position (unique keys ordered like
``(key, position)``), under its class (sorted by ``(class, key)``), cut into histogram bins, or
halved to give its top bit to a flag ranked last. Every layout leaves int64's sign bit clear, so
a packed key orders like its fields. :func:`tag_with_class_` packs float bits with class ids
the same way, for an ``amax`` instead of a sort.
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


def class_tag_bits(num_classes: int) -> int:
    """Bits that hold a class id below ``num_classes`` (at least 1): with float32's 31 value
    bits, :func:`tag_with_class_`'s keys fit in int64 for up to ``2**32`` classes."""
    return max(num_classes - 1, 1).bit_length()


def class_tags(num_classes: int, device: torch.device) -> Tensor:
    """``[C, 1]`` tags ``C - 1 - class``: the larger tag marks the lower class, so that an
    ``amax`` of :func:`tag_with_class_`'s keys picks the first maximum on ties."""
    return (num_classes - 1 - torch.arange(num_classes, device=device)).unsqueeze(1)


def tag_with_class_(bits: Tensor, tags: Tensor, shift: int) -> Tensor:
    """In place: non-negative float ``bits`` (int64, ``[..., C, n]``) shifted up by ``shift``
    (:func:`class_tag_bits`) and or-ed with :func:`class_tags`: keys that order like
    ``(value, -class)``."""
    return bits.bitwise_left_shift_(shift).bitwise_or_(tags)


def tagged_class(keys: Tensor, shift: int, num_classes: int) -> Tensor:
    """The class of :func:`tag_with_class_`'s keys: ``C - 1`` minus their low ``shift`` bits."""
    return num_classes - 1 - (keys & ((1 << shift) - 1))
