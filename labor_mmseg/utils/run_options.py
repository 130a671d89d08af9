"""The options a training run was started with, kept in its work dir for ``--resume``.

``tools/train.py`` records ``--cfg-options``, ``--hook-options`` and ``--amp`` in
``<work_dir>/train_options.json``; resuming applies the recorded ones again, so they need not be
typed twice. An option value is what MMEngine's ``DictAction`` parses (int, float, bool, None,
str, and lists and tuples of them); a tuple is kept as ``{"__tuple__": [...]}``.
"""
import json
import os
from pathlib import Path
from typing import Any

from ..labeling import write_atomic

OPTIONS_FILE = 'train_options.json'
TUPLE = '__tuple__'
OPTION_DICTS = ('cfg_options', 'hook_options')


def run_options(cfg_options: dict[str, Any] | None = None,
                hook_options: dict[str, Any] | None = None, amp: bool = False) -> dict[str, Any]:
    """A run's options as recorded: ``cfg_options``/``hook_options`` (key -> value), ``amp``."""
    return dict(cfg_options=dict(cfg_options or {}), hook_options=dict(hook_options or {}),
                amp=bool(amp))


def _encode(value: Any) -> Any:
    """``value`` with every tuple tagged, so JSON keeps it a tuple."""
    if isinstance(value, tuple):
        return {TUPLE: [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any, path: Path) -> Any:
    """The inverse of :func:`_encode`; ValueError naming ``path`` for a dict that is no tuple."""
    if isinstance(value, dict):
        if set(value) != {TUPLE} or not isinstance(value[TUPLE], list):
            raise ValueError(f'{path}: corrupt option value {value!r}')
        return tuple(_decode(v, path) for v in value[TUPLE])
    if isinstance(value, list):
        return [_decode(v, path) for v in value]
    return value


def options_path(work_dir: str | os.PathLike) -> Path:
    """Where the options of the run in ``work_dir`` are recorded."""
    return Path(work_dir) / OPTIONS_FILE


def load_run_options(work_dir: str | os.PathLike) -> dict[str, Any] | None:
    """The options recorded in ``work_dir`` (see :func:`run_options`), None if none are.

    ValueError naming the file when it is not what :func:`save_run_options` writes.
    """
    path = options_path(work_dir)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f'{path}: corrupt, not JSON ({err}); fix or delete it and give the '
                         'options on the command line') from None
    if (not isinstance(data, dict) or set(data) != {*OPTION_DICTS, 'amp'}
            or not all(isinstance(data[k], dict) for k in OPTION_DICTS)
            or not isinstance(data['amp'], bool)):
        raise ValueError(f'{path}: corrupt, expected {{"cfg_options": {{...}}, "hook_options": '
                         f'{{...}}, "amp": true|false}}, got {data!r}')
    return run_options(**{k: {key: _decode(v, path) for key, v in data[k].items()}
                          for k in OPTION_DICTS}, amp=data['amp'])


def save_run_options(work_dir: str | os.PathLike, options: dict[str, Any]) -> Path:
    """Record ``options`` (see :func:`run_options`) in ``work_dir`` atomically; return the file."""
    path = options_path(work_dir)
    data = {k: {key: _encode(v) for key, v in options[k].items()} for k in OPTION_DICTS}
    write_atomic(path, json.dumps(dict(data, amp=bool(options['amp'])), indent=1).encode())
    return path


def merge_run_options(recorded: dict[str, Any],
                      given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(merged, changed)``: ``given`` applied on top of ``recorded``, and what of ``given``
    differs from ``recorded`` (new keys, other values, ``amp`` switched on), as options.

    In ``merged`` the recorded keys that ``given`` keeps come first, then ``given``'s in its
    order, so one ``Config.merge_from_dict`` applies them as the recorded then the given ones.
    ``--amp`` can only be switched on, so ``amp`` is on when either is.
    """
    merged, changed = {}, {}
    for name in OPTION_DICTS:
        old, new = recorded[name], given[name]
        merged[name] = {**{k: v for k, v in old.items() if k not in new}, **new}
        changed[name] = {k: v for k, v in new.items() if k not in old or old[k] != v}
    merged['amp'] = recorded['amp'] or given['amp']
    changed['amp'] = given['amp'] and not recorded['amp']
    return merged, changed


def describe_run_options(options: dict[str, Any]) -> str:
    """``options`` in one line, as the command line gives them."""
    parts = [f'--{name.replace("_", "-")} ' + ' '.join(f'{k}={v!r}' for k, v in values.items())
             for name in OPTION_DICTS if (values := options[name])]
    return ' '.join(parts + ['--amp'] * bool(options['amp'])) or 'none'


def resume_run_options(work_dir: str | os.PathLike,
                       given: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The options to resume the run in ``work_dir`` with, and a line saying where they came
    from: the recorded ones with ``given`` on top (:func:`merge_run_options`), or ``given`` for
    a run that recorded none. ValueError naming the file when the record is corrupt."""
    path = options_path(work_dir)
    recorded = load_run_options(work_dir)
    if recorded is None:
        return given, (f'{path}: no options recorded (a run started before they were); '
                       f'resuming with the given ones: {describe_run_options(given)}')
    merged, changed = merge_run_options(recorded, given)
    line = f'resuming with the options recorded in {path}: {describe_run_options(recorded)}'
    if merged != recorded:
        line += (f'; changed on the command line: {describe_run_options(changed)}; '
                 f'recorded now: {describe_run_options(merged)}')
    return merged, line
