"""Tests for ``labor_mmseg.selection.rank_keys``: the bit layouts fit in int64 and order like
their fields, and unpacking returns what was packed."""

import pytest
import torch

from labor_mmseg.selection import pick_per_class
from labor_mmseg.selection import quotas as quotas_module
from labor_mmseg.selection.rank_keys import (
    CLASS_SHIFT,
    FLAG_BIT,
    KEY_BIN_SHIFT,
    KEY_BITS,
    KEY_LIMIT,
    KEY_MASK,
    NUM_KEY_BINS,
    POSITION_BITS,
    POSITION_MASK,
    flag_last,
    float_rank_key,
    key_bin,
    pack_class_key,
    pack_key_position,
    unpack_class,
    unpack_position,
)

INT64_BITS = 63  # value bits of an int64: a packed key must leave the sign bit clear
MAX_CLASS = (1 << 31) - 1  # classes are below 2**31 (pick_per_class's contract)


def random_keys(n: int, seed: int) -> torch.Tensor:
    """``n`` rank keys in ``[0, KEY_LIMIT)``: many ties, both ends of the range, and keys one
    apart (which ``flag_last`` may tie)."""
    gen = torch.Generator().manual_seed(seed)
    pool = torch.cat([torch.tensor([0, 1, 2, 3, KEY_MASK - 1, KEY_MASK]),
                      torch.randint(0, KEY_LIMIT, (40,), generator=gen)])
    return pool[torch.randint(0, pool.numel(), (n,), generator=gen)]


def order_of(keys: list) -> list[int]:
    """The indices of ``keys`` in lexicographic order of ``(key, index)``."""
    return sorted(range(len(keys)), key=lambda i: (keys[i], i))


def test_layouts_fit_in_int64():
    # rank keys are the bits of a non-negative float32
    assert KEY_MASK == torch.iinfo(torch.int32).max
    assert KEY_LIMIT == 1 << KEY_BITS == KEY_MASK + 1
    # (key, position): the key above the position, below the sign bit
    assert POSITION_MASK == (1 << POSITION_BITS) - 1
    assert KEY_BITS + POSITION_BITS <= INT64_BITS
    # (class, key): the class above every key bit, below the sign bit
    assert KEY_BITS <= CLASS_SHIFT
    assert CLASS_SHIFT + MAX_CLASS.bit_length() <= INT64_BITS
    # the flag takes the top bit a halved key frees
    assert FLAG_BIT == KEY_BITS - 1
    # the histogram bins cover the keys exactly
    assert NUM_KEY_BINS << KEY_BIN_SHIFT == KEY_LIMIT


def test_extreme_fields_survive_packing():
    key = torch.tensor([0, KEY_MASK, KEY_MASK, 0])
    position = torch.tensor([POSITION_MASK, 0, POSITION_MASK, 0])
    classes = torch.tensor([MAX_CLASS, MAX_CLASS, 0, 0])
    by_position = pack_key_position(key, position)
    by_class = pack_class_key(classes, key)
    assert (by_position >= 0).all() and (by_class >= 0).all()
    assert torch.equal(unpack_position(by_position), position)
    assert torch.equal(by_position >> POSITION_BITS, key)
    assert torch.equal(unpack_class(by_class), classes)
    assert torch.equal(by_class & KEY_MASK, key)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_key_position_keys_are_unique_and_order_like_the_pair(seed):
    n = 500
    key = random_keys(n, seed)
    gen = torch.Generator().manual_seed(100 + seed)
    position = torch.randperm(n, generator=gen)
    position[:3] = torch.tensor([POSITION_MASK, POSITION_MASK - 1, 1 << 30])  # still distinct
    packed = pack_key_position(key, position)
    assert packed.unique().numel() == n
    pairs = list(zip(key.tolist(), position.tolist(), strict=True))
    assert packed.argsort().tolist() == order_of(pairs)
    assert torch.equal(unpack_position(packed), position)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_class_key_sort_orders_by_class_key_position(seed):
    n = 600
    key = random_keys(n, seed)
    gen = torch.Generator().manual_seed(200 + seed)
    class_pool = torch.tensor([0, 1, 2, 7, 1 << 20, MAX_CLASS - 1, MAX_CLASS])
    classes = class_pool[torch.randint(0, class_pool.numel(), (n,), generator=gen)]
    packed = pack_class_key(classes, key)
    order = packed.sort(stable=True).indices.tolist()  # position: the stable sort's tie-break
    pairs = list(zip(classes.tolist(), key.tolist(), strict=True))
    assert order == order_of(pairs)
    assert torch.equal(unpack_class(packed), classes)
    assert (packed >= 0).all()


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_flag_last_puts_flagged_last_and_keeps_each_groups_order(seed):
    n = 400
    key = random_keys(n, seed)
    flag = torch.rand(n, generator=torch.Generator().manual_seed(300 + seed)) < 0.4
    out = flag_last(key, flag)
    assert (out >= 0).all() and (out < KEY_LIMIT).all()
    assert out[~flag].max() < out[flag].min()
    assert torch.equal(out >> FLAG_BIT, flag.long())
    for group in (flag, ~flag):
        k, o = key[group], out[group]
        below = k.unsqueeze(1) < k.unsqueeze(0)
        assert (o.unsqueeze(1) <= o.unsqueeze(0))[below].all()  # never reversed
        apart = k.unsqueeze(1) + 1 < k.unsqueeze(0)
        assert (o.unsqueeze(1) < o.unsqueeze(0))[apart].all()  # only keys one apart may tie
    assert torch.equal(flag_last(key, torch.zeros(n, dtype=torch.bool)), key >> 1)


def test_float_rank_key_orders_like_the_values():
    tiny = torch.finfo(torch.float32).tiny
    values = torch.tensor([0.0, 1e-45, 2e-45, tiny / 2, tiny, 1e-20, 0.5, 1.0, 1.0, 1.0 + 1e-7,
                           3.0, 1e30, torch.finfo(torch.float32).max, float('inf'), 0.0, 0.5])
    values = values[torch.randperm(values.numel(), generator=torch.Generator().manual_seed(0))]
    for descending in (False, True):
        keys = float_rank_key(values, descending=descending)
        assert keys.dtype == torch.int64
        assert (keys >= 0).all() and (keys < KEY_LIMIT).all()
        by_value = (values.unsqueeze(1) - values.unsqueeze(0)).sign()
        by_key = (keys.unsqueeze(1) - keys.unsqueeze(0)).sign().float()
        assert torch.equal(by_key, -by_value if descending else by_value)  # ties stay ties


def test_float_rank_key_compares_in_float32():
    values = torch.tensor([1.0, 1.0 + 1e-12, 2.0], dtype=torch.float64)  # one float32 tie
    keys = float_rank_key(values).tolist()
    assert keys[0] == keys[1] < keys[2]
    assert float_rank_key(values.half()).tolist() == keys[:1] * 2 + keys[2:]


def test_key_bins_cover_the_keys_in_order():
    key = random_keys(300, 5).sort().values
    bins = key_bin(key)
    assert (bins >= 0).all() and (bins < NUM_KEY_BINS).all()
    assert (bins[1:] >= bins[:-1]).all()
    assert key_bin(torch.tensor([0, (1 << KEY_BIN_SHIFT) - 1, 1 << KEY_BIN_SHIFT, KEY_MASK])
                   ).tolist() == [0, 0, 1, NUM_KEY_BINS - 1]


@pytest.mark.parametrize('rounds', [0, 100])  # the sort, the per-class minima
def test_pick_per_class_ranks_extreme_and_flagged_keys(rounds, monkeypatch):
    monkeypatch.setattr(quotas_module, 'MINIMA_ROUNDS', rounds)
    n = 300
    gen = torch.Generator().manual_seed(7)
    classes = torch.randint(0, 4, (n,), generator=gen)
    rank_key = flag_last(random_keys(n, 7), torch.rand(n, generator=gen) < 0.5)
    budget = 40
    quotas = quotas_module.class_quotas(torch.bincount(classes, minlength=4), budget)
    keys, members = rank_key.tolist(), classes.tolist()
    expected = sorted(i for k in range(4) for i in sorted(
        (i for i in range(n) if members[i] == k), key=lambda i: (keys[i], i))[:quotas[k]])
    assert sorted(pick_per_class(classes, rank_key, 4, budget).tolist()) == expected
