"""Label-efficiency table on the synthetic benchmark: target mIoU against labels spent.

Trains each method's synthetic config for each seed into work_dirs/label_efficiency/<method>/
seed<k> (a finished run is skipped and an interrupted one resumes from its last checkpoint, as
long as the config it was started with is the current one; a run of an older config is moved to
seed<k>.stale-<n>, never deleted, and trained afresh), then writes
benchmarks/label_efficiency.{json,md,png}, the section between ``<!-- BEGIN label_efficiency -->``
and ``<!-- END label_efficiency -->`` of configs/labor/README.md (where MMSeg keeps an
algorithm's results), the headline section ``label_efficiency_headline`` of the top-level
README, and configs/labor/metafile.yaml with its per-config section ``configs`` (metafile.py).

    python tools/benchmark/label_efficiency.py                       # every method, 3 seeds
    python tools/benchmark/label_efficiency.py --methods source_only supervised --seeds 0
    python tools/benchmark/label_efficiency.py --finished-only   # only rewrite the table
    python tools/benchmark/label_efficiency.py --methods ripu_regions --retrain 'exact impurity'

The table always holds every finished run of the current configs, whatever was asked to train.
Each run's result, with the digest of its config, is also recorded in the table's JSON as the
run finishes (``benchmarks/label_efficiency.json``, committed): a run recorded there with the
current config counts as finished where its work dir is gone (another machine, a fresh
clone), so the table survives its work dirs and is never rebuilt from a part of its runs.
Recorded runs of an older config move to the JSON's ``stale_runs``, kept as they were.
A run the curves record (``label_efficiency_curves.json``) holds with a current config's key
counts here too, so a point trained once at the table's budget fills both tables.

An ablation changes every method's config and gets a name: its runs go to
work_dirs/label_efficiency_<tag>/, its table to benchmarks/label_efficiency_<tag>.{json,md,png}
and to the section ``label_efficiency_<tag>`` of configs/labor/README.md (add the two markers
first)::

    python tools/benchmark/label_efficiency.py --methods random_pixels labor_spl \
        --tag pseudo08 --cfg-options model.pseudo_label_threshold=0.8
    python tools/benchmark/label_efficiency.py --methods labor_spl \
        --tag spl_by_discrepancy --hook-options SPLSelectionHook.boundary_radius=0

``--hook-options`` names a custom hook by its type (a subclass counts: ``ActiveSelectionHook``
also names the SPL and PPL hooks), never by its position in ``custom_hooks``.
"""
import argparse
import copy
import functools
import hashlib
import json
import re
import statistics
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import metafile  # beside this script
import torch
from curve_stats import interval_text, paired_lead  # beside this script
from mmengine.config import Config, DictAction
from readme_sections import (
    HEADLINE,
    RESULTS_README,
    check_section,
    link,
    miou_text,
    update_section,
)

import labor_mmseg  # noqa: F401  (registers components)
from labor_mmseg.datasets.synthetic import ensure_synthetic_benchmark
from labor_mmseg.labeling import LabelStore, write_atomic
from labor_mmseg.utils import hook_cfg_options
from labor_mmseg.utils.experiment import set_aside, train_and_test

REPO = Path(__file__).resolve().parents[2]

# method -> (config in configs/labor/, name in the table). The baselines' configs are LabOR's
# with another strategy in the selection hook, so every method spends the same budget.
METHODS = {
    'source_only': ('source_only_synth', 'Source only'),
    'adaptseg': ('adaptseg_synth', 'AdaptSeg (UDA)'),
    'random_pixels': ('random-pixels_synth', 'Random pixels, 2.2%'),
    'entropy_pixels': ('entropy-pixels_synth', 'Entropy pixels, 2.2%'),
    'ripu_regions': ('ripu-regions_synth', 'RIPU regions, 2.2%'),
    'labor_spl': ('spl_synth', 'LabOR-SPL, 2.2%'),
    'random_points': ('random-points_synth', 'Random points, 40/image'),
    'ripu_pixels': ('ripu-pixels_synth', 'RIPU pixels, 40/image'),
    'labor_ppl': ('ppl_synth', 'LabOR-PPL, 40/image'),
    'adaptseg_all_labels': ('adaptseg-all-labels_synth', 'AdaptSeg + every target label'),
    'supervised': ('supervised_synth', 'Target full supervision'),
    # With self-training (_base_/labor/self-training_synth.py): a mean teacher and ClassMix.
    'self_training': ('self-training_synth', 'AdaptSeg + self-training (UDA)'),
    'random_pixels_st': ('random-pixels-st_synth', 'Random pixels + ST, 2.2%'),
    'ripu_regions_st': ('ripu-regions-st_synth', 'RIPU regions + ST, 2.2%'),
    'labor_spl_st': ('spl-st_synth', 'LabOR-SPL + ST, 2.2%'),
    'random_points_st': ('random-points-st_synth', 'Random points + ST, 40/image'),
    'ripu_pixels_st': ('ripu-pixels-st_synth', 'RIPU pixels + ST, 40/image'),
    'labor_ppl_st': ('ppl-st_synth', 'LabOR-PPL + ST, 40/image'),
}


def method_name(method: str) -> str:
    """``method``'s name without the main table's budget (``'LabOR-SPL, 2.2%'`` ->
    ``'LabOR-SPL'``): for rows whose budget is another or shown in its own column."""
    return METHODS[method][1].split(',')[0]


# Methods trained with every target label: the ceiling of LabOR's recipe, and target only.
ALL_LABELS = ('adaptseg_all_labels', 'supervised')


def config_digest(cfg: Config) -> str:
    """Hash of everything in ``cfg`` that changes a run (``work_dir`` and ``resume`` do not).

    Canonical JSON (sorted keys, tuples as lists), so the digest does not depend on a formatter's
    version or on key order.
    """
    content = cfg.to_dict()
    content.pop('work_dir', None)
    content.pop('resume', None)
    text = json.dumps(content, sort_keys=True, default=repr, separators=(',', ':'))
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def parsed_config(path: str, mtime_ns: int) -> Config:
    """``Config.fromfile(path)``, parsed once per version of the file (``mtime_ns``; its
    ``_base_`` files are read once per process): a campaign reads each method's config for
    every point and seed after every run, quadratic in the points."""
    return Config.fromfile(path)


def method_config(method: str, seed: int, ablation: dict | None = None) -> tuple[Path, dict,
                                                                                 Config]:
    """The config file of ``method``, the cfg options of the run with ``seed`` (and
    ``ablation``'s on top), and the config they give.

    ``ablation`` holds ``cfg_options`` (MMEngine's dotted keys) and ``hook_options`` (keys
    ``<HookType>.<field>``, see :func:`hook_cfg_options`). ValueError naming the config file
    when a hook option matches none of its hooks.
    """
    config_file = REPO / 'configs' / 'labor' / f'{METHODS[method][0]}.py'
    ablation = ablation or {}
    cfg = copy.deepcopy(parsed_config(str(config_file), config_file.stat().st_mtime_ns))
    try:
        hooks = hook_cfg_options(cfg.get('custom_hooks', []), ablation.get('hook_options', {}))
    except ValueError as err:
        raise ValueError(f'{config_file.relative_to(REPO)} ({method}): {err}') from None
    cfg_options = {'randomness.seed': seed, **ablation.get('cfg_options', {}), **hooks}
    cfg.merge_from_dict(cfg_options)
    return config_file, cfg_options, cfg


RUN_FIELDS = {'method', 'seed', 'mIoU', 'labeled_percent', 'points_per_image', 'config_digest'}
# Records of other campaigns whose runs may be this table's runs (same method, seed, config).
SHARED_RECORDS = ('label_efficiency_curves.json',)


def run_key(entry: dict) -> tuple[str, int, str]:
    """What identifies a recorded run: its method, seed and config digest."""
    return entry['method'], entry['seed'], entry['config_digest']


def load_record(path: Path) -> tuple[list[dict], list[dict]]:
    """``(runs, stale_runs)`` recorded in a table's JSON (both empty if there is none yet).

    ValueError naming the file when it cannot be read or a run lacks its config digest.
    """
    if not path.is_file():
        return [], []
    try:
        content = json.loads(path.read_text())
        runs, stale = content['runs'], content.get('stale_runs', [])
        incomplete = [i for i, entry in enumerate(runs) if not RUN_FIELDS <= entry.keys()]
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ValueError(f'{path}: not a label-efficiency record ({type(err).__name__}: '
                         f'{err}); fix it or move it aside') from None
    if incomplete:
        raise ValueError(f'{path}: runs {incomplete} lack one of {sorted(RUN_FIELDS)}; fix them '
                         'or move the file aside')
    gone = superseded(stale)  # a process that wrote meanwhile may have put one back
    return [entry for entry in runs if entry not in gone], stale


def without_budget(entry: dict) -> dict:
    """A curve point as the table it shares runs with records it (the budget is the config's)."""
    return {k: v for k, v in entry.items() if k != 'budget'}


def shared_runs(bench: Path, recorded: list[dict], stale_runs: list[dict],
                ablation: dict | None = None) -> list[dict]:
    """Runs of :data:`SHARED_RECORDS` in ``bench`` that count for a table recording
    ``recorded`` and ``stale_runs``: those with the key of a current config (with
    ``ablation``), less the table's own and those it superseded."""
    own = {run_key(r) for r in recorded}
    gone = superseded(stale_runs)
    digests: dict[tuple[str, int], str] = {}
    shared = []
    for name in SHARED_RECORDS:
        for entry in map(without_budget, load_record(bench / name)[0]):
            key = entry['method'], entry['seed']
            if entry['method'] not in METHODS or key + (entry['config_digest'],) in own:
                continue
            if key not in digests:
                digests[key] = config_digest(method_config(*key, ablation)[2])
            if entry['config_digest'] == digests[key] and entry not in gone + shared:
                shared.append(entry)
    return shared


def all_recorded(bench: Path) -> dict[tuple[str, int, str], dict]:
    """Every run recorded in ``bench``'s tables (main, curves, ablations), by :func:`run_key`."""
    return {run_key(entry): entry for path in sorted(bench.glob('label_efficiency*.json'))
            for entry in load_record(path)[0]}


def ablation_reference(ablation: dict, recorded: dict, bench: Path,
                       work_dir: Path) -> tuple[dict | None, str]:
    """The :func:`summary` row of full supervision that an ablation table without its own takes
    its ratios to, and what it is: the one trained with ``ablation``'s cfg options where a run of
    it is among ``recorded`` (:func:`all_recorded`; an option such as the schedule's length
    moves the reference as well as the method), else the main table's (recorded in ``bench``,
    its runs under ``work_dir``)."""
    options = {'cfg_options': ablation.get('cfg_options', {})}
    if options['cfg_options']:
        runs = [entry for (method, seed, digest), entry in recorded.items()
                if method == 'supervised'
                and digest == config_digest(method_config(method, seed, options)[2])]
        if runs:
            return (full_supervision(summary(runs)),
                    'full supervision trained with the same cfg options')
    main_runs = load_record(bench / 'label_efficiency.json')[0]
    return (full_supervision(summary(finished_results(work_dir, recorded=main_runs))),
            'the main table\'s full supervision')


def option_leads(results: list[dict], ablation: dict, recorded: dict) -> str:
    """What an ablation's cfg options change: for each option, and for all of them together
    where there are several (options that only work as one, such as a schedule's length and
    its decay), and each method, the paired lead by seed of ``results`` (the ablation's runs)
    over the runs among ``recorded`` (:func:`all_recorded`) whose config leaves those options
    out; '' where no such run is recorded."""
    options = ablation.get('cfg_options', {})
    left_outs = [[key] for key in options] + ([list(options)] if len(options) > 1 else [])
    lines = []
    for left_out in left_outs:
        reduced = {**ablation, 'cfg_options': {k: v for k, v in options.items()
                                               if k not in left_out}}
        named = ', '.join(f'`{k}={options[k]!r}`' for k in left_out)
        for method in dict.fromkeys(r['method'] for r in results):
            mine = {r['seed']: r['mIoU'] for r in results if r['method'] == method}
            other = {seed: entry['mIoU'] for seed in mine if (entry := recorded.get(
                (method, seed, config_digest(method_config(method, seed, reduced)[2]))))}
            if (lead := paired_lead(mine, other)) is not None:
                seeds = '' if lead[1] is None else f' ({lead[2]} seeds)'
                lines.append(f'- {method_name(method)}, against the runs without {named}: '
                             f'{interval_text(lead)}{seeds}')
    if not lines:
        return ''
    return ('\n\nPaired by seed (mean difference in mIoU, 95% interval; an interval above 0 '
            'shows the options help):\n\n' + '\n'.join(lines))


def superseded(stale_runs: list[dict]) -> list[dict]:
    """The runs that :func:`supersede` retired, as they were recorded (a run trained since
    differs: its ``finished`` time)."""
    return [{k: v for k, v in entry.items() if k != 'superseded'} for entry in stale_runs
            if 'superseded' in entry]


def settle(record: Path, results: list[dict], stale_runs: list[dict]) -> tuple[list[dict],
                                                                               list[dict]]:
    """What to write to ``record``: ``results`` less the runs superseded there, and
    ``stale_runs`` with those another process recorded since (two campaigns may share a
    record, each writing when it ends), each once."""
    merged: list[dict] = []
    for entry in load_record(record)[1] + stale_runs:
        if entry not in merged:
            merged.append(entry)
    gone = superseded(merged)
    return [r for r in results if r not in gone], merged


def supersede(record: Path, runs: list[dict], reason: str,
              work_dir_of: Callable[[dict], Path]) -> tuple[list[dict], list[dict]]:
    """Retire ``runs`` (entries of ``record``, or runs it counts from a shared record) to
    train them again after a change that their config digest cannot see (the code's, not the
    config's).

    Each moves to the record's ``stale_runs`` marked ``superseded: reason``, and the file is
    rewritten now, so a retrain cut short resumes later as any unfinished run. A work dir
    (``work_dir_of(entry)``) that holds that very run is set aside (:func:`set_aside_run`);
    one holding another result is kept, and counts.
    Returns the record's new ``(runs, stale_runs)``.
    """
    content = json.loads(record.read_text()) if record.is_file() else {'runs': []}
    keys = {run_key(entry) for entry in runs}
    retired = [entry for entry in content['runs'] if run_key(entry) in keys]
    retired += [entry for entry in runs if run_key(entry) not in map(run_key, retired)]
    content['stale_runs'] = content.get('stale_runs', []) + [
        {**entry, 'superseded': reason} for entry in retired]
    content['runs'] = [entry for entry in content['runs'] if run_key(entry) not in keys]
    write_atomic(record, json.dumps(content, indent=2).encode())
    for entry in runs:
        set_aside_run(work_dir_of(entry), entry)
    return content['runs'], content['stale_runs']


def set_aside_run(work_dir: Path, entry: dict) -> None:
    """Set ``work_dir`` aside as ``.superseded-<n>`` if it holds the superseded run ``entry``
    (every field of its ``result.json`` is the entry's); one holding another result stays."""
    result_file = work_dir / 'result.json'
    if result_file.is_file() and json.loads(result_file.read_text()).items() <= entry.items():
        moved = set_aside(work_dir, 'superseded')
        print(f'{work_dir}: the superseded run; moved to {moved.name}')


def write_record(record: Path, results: list[dict], recorded: list[dict],
                 stale_runs: list[dict], rows: Callable[[list[dict]], list[dict]],
                 **fields) -> tuple[list[dict], list[dict]]:
    """Write ``results`` (the finished runs of the current configs) to ``record``, with
    ``fields``, their ``rows(results)`` as its summary, and as stale runs ``stale_runs`` plus
    the ``recorded`` runs that no longer count (see :func:`settle`); return the runs and stale
    runs written. Called after every run a campaign trains, so a session that ends keeps
    every finished run; replaced atomically, so a campaign sharing the record never reads it
    half written."""
    current = {run_key(r) for r in results}
    results, stale_runs = settle(
        record, results, stale_runs + [r for r in recorded if run_key(r) not in current])
    write_atomic(record, json.dumps(dict(**fields, runs=results, summary=rows(results),
                                         stale_runs=stale_runs), indent=2).encode())
    return results, stale_runs


def is_stale(work_dir: Path, config: str, cfg: Config) -> bool:
    """Whether ``work_dir`` holds a run of another config than ``cfg``.

    The runner dumps the config it ran to ``work_dir/<config>.py``; that dump is compared.
    """
    dumped = work_dir / f'{config}.py'
    return work_dir.is_dir() and not (
        dumped.is_file() and config_digest(Config.fromfile(str(dumped))) == config_digest(cfg))


def run(method: str, seed: int, out_root: Path, train: bool = True,
        ablation: dict | None = None, recorded: list[dict] = ()) -> dict | None:
    """Train and test one method with one seed, or read its finished result.

    A finished run is one in its work dir, or one in ``recorded`` (the table's JSON), of the
    current config. With ``train=False`` only a finished run is read (None otherwise).
    ``ablation`` holds options applied to the method's config (see :func:`method_config`).
    """
    work_dir = out_root / method / f'seed{seed}'
    config_file, cfg_options, cfg = method_config(method, seed, ablation)
    digest = config_digest(cfg)
    stale = is_stale(work_dir, config_file.stem, cfg)
    if stale and train:
        moved = set_aside(work_dir, 'stale')
        print(f'{work_dir}: trained with another config than {config_file.relative_to(REPO)} '
              f'now gives; moved to {moved.name}, training afresh')
    result_file = work_dir / 'result.json'
    if result_file.is_file() and not stale:
        return {**json.loads(result_file.read_text()), 'config_digest': digest}
    for entry in recorded:
        if run_key(entry) == (method, seed, digest):
            return entry
    if not train:
        return None
    metrics = train_and_test(config_file, work_dir, cfg_options,
                             resume=(work_dir / 'last_checkpoint').is_file())
    store_root = work_dir / 'label_store'
    result = dict(method=method, seed=seed, mIoU=float(metrics['mIoU']), labeled_percent=0.0,
                  points_per_image=0.0, config_digest=digest, threads=torch.get_num_threads(),
                  finished=datetime.now(timezone.utc).isoformat(timespec='microseconds'))
    if method in ALL_LABELS:
        result['labeled_percent'] = 100.0
    elif (store_root / 'manifest.json').is_file():
        store = LabelStore.open(store_root)
        totals = store.totals()  # the budget spent: queried pixels, and its effort
        images, effort = store.manifest['target_images'], totals['effort']
        result.update(labeled_percent=totals['queried_percent'],
                      points_per_image=totals['queried_per_image'],
                      clicks_per_image=effort and effort['clicks'] / images,
                      seconds_per_image=effort and effort['seconds'] / images)
    result_file.write_text(json.dumps(result, indent=2))
    return result


def finished_seeds(out_root: Path, method: str, recorded: list[dict] = ()) -> list[int]:
    """Seeds with a run directory of ``method`` or a run in ``recorded`` (finished or not,
    current or not)."""
    names = (p.name for p in (out_root / method).glob('seed*'))
    seeds = {int(name[4:]) for name in names if name[4:].isdigit()}
    return sorted(seeds | {r['seed'] for r in recorded if r['method'] == method})


def finished_results(out_root: Path, ablation: dict | None = None,
                     recorded: list[dict] = ()) -> list[dict]:
    """Every finished run under ``out_root`` or in ``recorded`` of the current configs (with
    ``ablation``), not only those asked for now."""
    return [r for m in METHODS for s in finished_seeds(out_root, m, recorded)
            if (r := run(m, s, out_root, train=False, ablation=ablation, recorded=recorded))
            is not None]


def summary(results: list[dict]) -> list[dict]:
    """Per method: mean and spread of mIoU over seeds, labels spent."""
    rows = []
    for method, (_, name) in METHODS.items():
        runs = [r for r in results if r['method'] == method]
        if runs:
            mious = [r['mIoU'] for r in runs]
            rows.append(dict(
                method=method, name=name, seeds=len(runs), mean=statistics.mean(mious),
                std=statistics.stdev(mious) if len(mious) > 1 else 0.0,
                labeled_percent=statistics.mean(r['labeled_percent'] for r in runs),
                points_per_image=statistics.mean(r['points_per_image'] for r in runs),
                **effort_mean(runs)))
    return rows


def effort_mean(runs: list[dict]) -> dict:
    """Clicks and seconds per image, each the mean over the ``effort_seeds`` runs that
    recorded it (None with none: every store predates round maps, or there is no store)."""
    measured = [r for r in runs if r.get('clicks_per_image') is not None]
    return {'effort_seeds': len(measured),
            **{key: statistics.mean(r[key] for r in measured) if measured else None
               for key in ('clicks_per_image', 'seconds_per_image')}}


def effort_cell(row: dict) -> str:
    """A table's effort column: clicks per target image and the seconds they are estimated
    at, with the seeds they come from when not every seed recorded them; '-' where none did."""
    if row.get('clicks_per_image') is None:
        return '-'
    seeds = row['effort_seeds']
    partial = f'; {seeds} of {row["seeds"]} seeds' if seeds < row['seeds'] else ''
    return f'{row["clicks_per_image"]:.0f} ({row["seconds_per_image"]:.0f} s{partial})'


def full_supervision(rows: list[dict]) -> dict | None:
    """The full-supervision row of :func:`summary` rows, if any."""
    return next((r for r in rows if r['method'] == 'supervised'), None)


def table(rows: list[dict], full: float | None) -> str:
    """Markdown table of :func:`summary` rows, with each method's ratio to ``full`` (the mIoU
    of full supervision; None: no ratios)."""
    lines = ['| method | target mIoU (mean ± std) | seeds | x full supervision | '
             '% target pixels labeled | points / image | clicks / image (est. time) |',
             '|---|---|---|---|---|---|---|']
    for r in rows:
        ratio = f'{r["mean"] / full:.2f}' if full else 'n/a'
        points = 'all' if r['method'] in ALL_LABELS else f'{r["points_per_image"]:.0f}'
        lines.append(f'| {r["name"]} | {miou_text(r)} | {r["seeds"]} | {ratio} | '
                     f'{r["labeled_percent"]:.2f} | {points} | {effort_cell(r)} |')
    return '\n'.join(lines)


# The headline's self-training column: a method's row with self-training (AdaptSeg's: self-
# training without target labels, in place of the discriminator).
WITH_SELF_TRAINING = {'adaptseg': 'self_training',
                      **{m: f'{m}_st' for m in ('random_pixels', 'ripu_regions', 'labor_spl',
                                                'random_points', 'ripu_pixels', 'labor_ppl')}}


def headline(rows: list[dict], full: float | None) -> str:
    """The top-level README's short table: each method's mIoU and ratio to ``full``, and the
    same with self-training (:data:`WITH_SELF_TRAINING`) beside it rather than in its own row."""
    by_method = {r['method']: r for r in rows}

    def cells(row: dict | None) -> str:
        if row is None:
            return '- | -'
        ratio = f'{row["mean"] / full:.2f}' if full else 'n/a'
        return f'{miou_text(row)} ({row["seeds"]}) | {ratio}'

    lines = ['| method | target mIoU (seeds) | x full supervision | with self-training | '
             'x full supervision |', '|---|---|---|---|---|']
    self_trained = set(WITH_SELF_TRAINING.values())
    lines += [f'| {r["name"]} | {cells(r)} | '
              f'{cells(by_method.get(WITH_SELF_TRAINING.get(r["method"], "")))} |'
              for r in rows if r['method'] not in self_trained]
    return '\n'.join(lines)


def plot(rows: list[dict], path: Path) -> None:
    """mIoU against the labeled fraction (log scale), one point per method."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for r in rows:
        x = max(r['labeled_percent'], 1e-3)
        ax.errorbar(x, r['mean'], yerr=r['std'], fmt='o', capsize=3, label=r['name'])
    ax.set_xscale('log')
    ax.set_xlabel('% of target pixels labeled (0 plotted at 0.001)')
    ax.set_ylabel('target val mIoU')
    ax.set_title('Label efficiency on the synthetic benchmark')
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc='lower right')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def parse_args() -> argparse.Namespace:
    """Command line; an ablation (``--cfg-options``, ``--hook-options``) needs its own
    ``--tag``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--methods', nargs='+', default=list(METHODS), choices=list(METHODS))
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--work-dir', default=str(REPO / 'work_dirs' / 'label_efficiency'))
    parser.add_argument('--no-readme', action='store_true',
                        help='do not update the README sections and configs/labor/metafile.yaml')
    parser.add_argument('--finished-only', action='store_true',
                        help='train nothing, only write the table')
    parser.add_argument('--tag', help='name of an ablation: runs, table and README section')
    parser.add_argument('--retrain', metavar='REASON',
                        help='train the asked methods and seeds again although recorded (after '
                        'a code change the config digest cannot see); their records move to '
                        'stale_runs marked with REASON')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={},
                        help='an ablation: options applied to every method (needs --tag)')
    parser.add_argument('--hook-options', nargs='+', action=DictAction, default={},
                        help='an ablation: <HookType>.<field>=<value> set on every custom hook '
                        'of that type or a subclass, wherever it sits (needs --tag)')
    args = parser.parse_args()
    args.ablation = {k: v for k in ('cfg_options', 'hook_options') if (v := getattr(args, k))}
    if args.ablation and not args.tag:
        parser.error('--cfg-options and --hook-options change every run: name the ablation '
                     'with --tag, so its runs do not replace those of the main table')
    if args.tag is not None and not re.fullmatch(r'[A-Za-z0-9_-]+', args.tag):
        parser.error(f'--tag {args.tag!r}: use letters, digits, "_" and "-" only')
    return args


def main() -> None:
    """Run the requested methods and seeds, then write the table."""
    args = parse_args()
    name = 'label_efficiency' + (f'_{args.tag}' if args.tag else '')
    sections = [name] if args.tag else [name, HEADLINE, metafile.SECTION]
    if not args.no_readme:
        for section in sections:  # missing markers fail now, not after hours of training
            check_section(REPO, section)
    data_root = REPO / 'data' / 'synthetic'
    ensure_synthetic_benchmark(data_root)
    work_dir = Path(args.work_dir)
    out_root = work_dir.with_name(f'{work_dir.name}_{args.tag}') if args.tag else work_dir
    bench = REPO / 'benchmarks'
    record = bench / f'{name}.json'
    recorded, stale_runs = load_record(record)
    recorded += shared_runs(bench, recorded, stale_runs, args.ablation)
    retired = [r for r in recorded if r['method'] in args.methods and r['seed'] in args.seeds]
    if args.retrain and not args.finished_only and retired:
        recorded, stale_runs = supersede(
            record, retired, args.retrain,
            lambda entry: out_root / entry['method'] / f'seed{entry["seed"]}')
        recorded += shared_runs(bench, recorded, stale_runs, args.ablation)

    def record_finished() -> tuple[list[dict], list[dict]]:
        return write_record(record, finished_results(out_root, args.ablation, recorded),
                            recorded, stale_runs, summary, **args.ablation)

    if not args.finished_only:
        for method in args.methods:
            for seed in args.seeds:
                todo = run(method, seed, out_root, False, args.ablation, recorded) is None
                run(method, seed, out_root, ablation=args.ablation, recorded=recorded)
                if todo:
                    record_finished()
    results, stale_runs = record_finished()
    rows = summary(results)
    if any(key.endswith('.budget') for key in args.ablation.get('hook_options', {})):
        rows = [{**r, 'name': method_name(r['method'])} for r in rows]
    full = full_supervision(rows)
    text = ''
    if args.ablation:
        text = 'Ablation: every run with ' + ', '.join(
            f'`{k}={v!r}`' for options in args.ablation.values()
            for k, v in options.items()) + '.'
        # Read once for the reference and the pairing; only cfg options have either.
        everything = all_recorded(bench) if args.ablation.get('cfg_options') else {}
        if full is None:
            full, reference = ablation_reference(args.ablation, everything, bench, work_dir)
            if full is not None:
                text += (f' Ratios are to {reference} ({full["mean"]:.2f}, mean of '
                         f'{full["seeds"]} runs).')
        text += '\n\n'
    text += table(rows, full and full['mean'])
    if args.ablation:
        text += option_leads(results, args.ablation, everything)
    (bench / f'{name}.md').write_text(text + '\n')
    plot(rows, bench / f'{name}.png')
    print(text)
    if not args.no_readme:
        figure = link(REPO, name, f'benchmarks/{name}.png')
        update_section(REPO, name, f'{text}\n\n![mIoU against labels]({figure})')
        if not args.tag:
            results = RESULTS_README.as_posix()
            update_section(REPO, HEADLINE, (
                f'{headline(rows, full and full["mean"])}\n\nSynthetic benchmark, written by '
                '`tools/benchmark/label_efficiency.py` from `benchmarks/label_efficiency.json`; '
                f'labels spent, annotation effort, curves, ablations and cost: [{results}]'
                f'({link(REPO, HEADLINE, results)}#results-and-models).'))
            metafile.write(REPO, rows, {m: config for m, (config, _) in METHODS.items()})


if __name__ == '__main__':
    main()
