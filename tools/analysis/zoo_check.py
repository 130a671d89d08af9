"""Which MMSeg model families work as LabOR's A: the compatibility table, written by this script.

For every family folder MMSeg ships configs for (``mmseg/.mim/configs/<family>/``), one config
(Cityscapes where the family has one, else ADE20K, else any; the smallest backbone by name),
its model taken whole with ``shipped_model`` (no pretrained weights: nothing is downloaded;
every head's ``num_classes`` the benchmark's 19)
beside LabOR-SPL's synthetic layer, on a tiny generated benchmark (64x128 images): build, train
4 iterations with a selection round after the 2nd (``round_check_run``, the run of the suite's
zoo tests), check that the round bought labels and that every target loss of A is above 0 in
the next iterations, test. Each family runs in a process
of its own with a time limit; its record (the first stage that failed and why, or that it
works; seconds per iteration, A's parameters) goes into ``benchmarks/zoo_check.json`` as soon
as it finishes, so an interrupted check resumes where it stopped, and ``docs/zoo_check.md`` is
rewritten from the records.

    python tools/analysis/zoo_check.py                       # every family not recorded yet
    python tools/analysis/zoo_check.py --families knet dpt --retry
    python tools/analysis/zoo_check.py --table-only          # rewrite the table
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RECORD = REPO / 'benchmarks' / 'zoo_check.json'
TABLE = REPO / 'docs' / 'zoo_check.md'
WORK = REPO / 'work_dirs' / 'zoo_check'
STAGES = ('build', 'train', 'round', 'labels reach A', 'test')
# Backbone names from small to large: the first that a config's name holds ranks it.
SIZES = ('r18', 'hr18s', 'mit-b0', 'mobilenet', 'tiny', 'vit-t', '_t_', '-t_', 'small',
         '_s_', '-s_', 'hr18', 'r50', 'b0', 'base', 'b1', 'b2', 'r101', 'large')
NUM_CLASSES = 19  # the synthetic benchmark's (Cityscapes') classes, set on every head


def families() -> dict[str, Path]:
    """Every family folder of the installed MMSeg's configs."""
    import mmseg
    root = Path(mmseg.__file__).parent / '.mim' / 'configs'
    return {p.name: p for p in sorted(root.iterdir()) if p.is_dir() and p.name != '_base_'
            and any(p.glob('*.py'))}


def pick_config(folder: Path) -> Path:
    """The family's Cityscapes config (else ADE20K's, else any) with the smallest backbone by
    name."""
    files = sorted(folder.glob('*.py'))
    plain = ([p for p in files if 'cityscapes' in p.name and 'zurich' not in p.name
              and 'night' not in p.name] or [p for p in files if 'ade20k' in p.name] or files)

    def rank(path: Path) -> tuple:
        found = [i for i, token in enumerate(SIZES) if token in path.name]
        return (min(found, default=len(SIZES)), len(path.name), path.name)
    return min(plain, key=rank)


def check_family(config: str, data_root: Path, work_dir: Path) -> dict:
    """Run the check of one config in this process; the record, failing or not."""
    import torch
    from mmengine.config import Config

    import labor_mmseg  # noqa: F401  (registers components)
    from labor_mmseg.labeling import LabelStore
    from labor_mmseg.utils import shipped_model
    from labor_mmseg.utils.experiment import ROUND, round_check_run, target_losses

    torch.set_num_threads(1)
    record: dict = dict(config=config, stage='build')
    try:
        cfg = Config.fromfile(REPO / 'configs' / '_base_' / 'labor' / 'spl_synth.py')
        cfg.model = dict(segmentor=shipped_model(f'mmseg::{config}', weights=False,
                                                 num_classes=NUM_CLASSES), **cfg.labor)
        runner, recorder = round_check_run(cfg, data_root, work_dir)
        segmentor = runner.model.segmentor
        record['params_m'] = sum(p.numel() for p in segmentor.parameters()) / 1e6
        record['stage'] = 'train'
        runner.train()
        record['s_per_iter'] = sorted(recorder.seconds)[len(recorder.seconds) // 2]
        record['stage'] = 'round'
        store = LabelStore.open(work_dir / 'label_store')
        bought = store.manifest['rounds'][0]['queried'] if store.manifest['rounds'] else 0
        record['bought'] = bought
        if not bought:
            raise RuntimeError('the selection round bought nothing (B\'s heads agree on every '
                               'pixel)')
        record['stage'] = 'labels reach A'
        keys = target_losses(recorder.outputs[0])
        after = [{k: out[k] for k in keys} for out in recorder.outputs[ROUND:]]
        if not keys or not all(v > 0 for losses in after for v in losses.values()):
            raise RuntimeError(f'not every target loss of A is above 0 after the round: {after}')
        record['stage'] = 'test'
        metrics = runner.test()
        record['miou'] = float(metrics['mIoU']) if 'mIoU' in metrics else None
        record['stage'] = 'works'
    except BaseException as err:  # noqa: BLE001  (the record says what failed)
        record['error'] = f'{type(err).__name__}: {err}'.strip()[:600]
    return record


def run_in_child(family: str, config: str, data_root: Path, limit: float) -> dict:
    """:func:`check_family` of ``config`` in a process of its own, stopped after ``limit`` s."""
    work_dir = WORK / family
    shutil.rmtree(work_dir, ignore_errors=True)  # this script's scratch run of the family
    with tempfile.NamedTemporaryFile('r', suffix='.json') as out:
        command = [sys.executable, __file__, '--child', config, '--data-root', str(data_root),
                   '--work-dir', str(work_dir), '--out', out.name]
        env = dict(os.environ, OMP_NUM_THREADS='1')
        start = time.monotonic()
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True,
                                  timeout=limit)
        except subprocess.TimeoutExpired:
            return dict(config=config, stage='train', error=f'stopped after {limit:.0f} s')
        text = out.read()
        if not text:
            return dict(config=config, stage='build', error=(
                f'the check process died (exit {done.returncode}): '
                f'{done.stderr.strip().splitlines()[-1:] or ""}')[:600])
        record = json.loads(text)
        record['seconds'] = round(time.monotonic() - start, 1)
        return record


def cell(value, digits: int = 2) -> str:
    return '-' if value is None else f'{value:.{digits}f}'


def write_table(records: dict[str, dict]) -> None:
    """``docs/zoo_check.md`` from the records."""
    from labor_mmseg.utils.experiment import CHECK_ITERS, ROUND
    rows = []
    for family, r in sorted(records.items()):
        reached = STAGES.index(r['stage']) if r['stage'] in STAGES else len(STAGES)
        marks = ['yes' if i < reached else ('**no**' if i == reached else '-')
                 for i in range(len(STAGES))]
        reason = r.get('error', '').replace('|', '\\|').replace('\n', ' ')
        rows.append(f'| {family} | `{r["config"].split("/")[-1]}` | ' + ' | '.join(marks)
                    + f' | {cell(r.get("s_per_iter"))} | {cell(r.get("params_m"), 1)} | '
                    f'{reason} |')
    works = sum(r['stage'] == 'works' for r in records.values())
    text = '\n'.join([
        '# MMSeg families as LabOR\'s A',
        '',
        f'Written by `python tools/analysis/zoo_check.py` from `benchmarks/zoo_check.json`: '
        f'{works} of {len(records)} families work. Each family: one config MMSeg ships '
        '(Cityscapes, else ADE20K; the smallest backbone by name), its model taken whole '
        '(`shipped_model`, no pretrained weights) beside LabOR-SPL\'s synthetic layer, on a '
        f'tiny benchmark of 64x128 images: build, train {CHECK_ITERS} iterations with a '
        f'selection round after iteration {ROUND} (batch norms averaging the batches they '
        'have seen), the round buys labels, every target loss of A is above 0 after it, '
        'test. Seconds per iteration (median) on one CPU thread, A\'s parameters in millions; '
        'the first stage that failed is **no**, with its error.',
        '',
        '| family | config | ' + ' | '.join(STAGES) + ' | s / iter | params (M) | why not |',
        '|---|---|' + '---|' * len(STAGES) + '---:|---:|---|',
        *rows, ''])
    TABLE.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--families', nargs='+', help='only these family folders')
    parser.add_argument('--retry', action='store_true', help='check recorded families again')
    parser.add_argument('--table-only', action='store_true', help='rewrite the table only')
    parser.add_argument('--limit', type=float, default=600, help='seconds per family')
    parser.add_argument('--child', help=argparse.SUPPRESS)
    parser.add_argument('--data-root', type=Path, help=argparse.SUPPRESS)
    parser.add_argument('--work-dir', type=Path, help=argparse.SUPPRESS)
    parser.add_argument('--out', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        Path(args.out).write_text(json.dumps(check_family(args.child, args.data_root,
                                                          args.work_dir)))
        return

    from labor_mmseg.datasets.synthetic import generate_synthetic_benchmark
    from labor_mmseg.labeling import write_atomic
    records = json.loads(RECORD.read_text()) if RECORD.is_file() else {}
    if not args.table_only:
        data_root = WORK / 'data'
        if not (data_root / 'cityscapes').is_dir():
            generate_synthetic_benchmark(data_root, workers=1, progress=False, num_source=8,
                                         num_target_train=6, num_target_val=4, height=64,
                                         width=128, seed=0)
        found = families()
        unknown = sorted(set(args.families or []) - set(found))
        if unknown:
            raise SystemExit(f'no such family in MMSeg\'s configs: {unknown}; known: '
                             f'{sorted(found)}')
        for family in args.families or list(found):
            if family in records and not args.retry:
                continue
            config = f'{family}/{pick_config(found[family]).name}'
            print(f'[zoo_check] {family}: {config}', flush=True)
            record = run_in_child(family, config, data_root, args.limit)
            record['checked'] = datetime.now(timezone.utc).isoformat(timespec='seconds')
            records[family] = record
            print(f'[zoo_check] {family}: {record["stage"]} {record.get("error", "")}'[:300],
                  flush=True)
            write_atomic(RECORD, json.dumps(dict(sorted(records.items())), indent=1).encode())
            write_table(records)
    write_table(records)
    print(f'{TABLE}: {sum(r["stage"] == "works" for r in records.values())} of '
          f'{len(records)} families work')


if __name__ == '__main__':
    main()
