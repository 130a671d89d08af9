"""Import a person's answers to a selection round's queries into the label store.

With ``oracle='human'`` a selection hook exports its queries to
``<work_dir>/queries/round_<k>/`` (``queries.json``, ``masks/<key>.png``: 255 where a label
is asked), saves a checkpoint and stops training. Answer each query as ``<answers>/<key>.png``
(class train ids at the asked pixels, 255 where unsure or void), then::

    python tools/import_answers.py <work_dir> <answers> [--round k]
    python tools/train.py <config> --work-dir <work_dir> --resume
"""
import argparse
import json
from pathlib import Path

from labor_mmseg.labeling import LabelStore, import_answers, read_queries


def pending_round(work_dir: Path) -> int:
    """The exported round without answers in the store yet (error if none or several)."""
    exported = sorted(int(p.name.split('_')[1]) for p in (work_dir / 'queries').glob('round_*'))
    if not exported:
        raise FileNotFoundError(f'{work_dir / "queries"}: no exported queries')
    return exported[-1]


def main() -> None:
    """Read the answers, check them against the queries, store them and record the round."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir', type=Path, help='the training work dir')
    parser.add_argument('answers', type=Path, help='folder of answer PNGs, <key>.png')
    parser.add_argument('--round', type=int, help='round number (default: the last exported)')
    args = parser.parse_args()
    round_number = args.round or pending_round(args.work_dir)
    query_dir = args.work_dir / 'queries' / f'round_{round_number}'
    meta = json.loads((query_dir / 'round.json').read_text())
    store = LabelStore.open(args.work_dir / meta['label_dir'])
    if meta['round'] in store.completed_rounds:
        raise ValueError(f'round {round_number} is already in {store.manifest_path}')
    queries = read_queries(query_dir)
    answers = import_answers(args.answers, queries, num_classes=store.num_classes)
    done = store.uncommitted  # added by an import that was killed before its commit
    for key, mask in queries.items():
        if key in done and (store.queried_mask(key, mask.shape) >= mask).all():
            continue
        store.add(key, answers[key], mask)
    store.commit_round(meta['round'], meta['iteration'],
                       dict(strategy=meta['strategy'], oracle='human'))
    entry = store.manifest['rounds'][-1]
    print(f'round {round_number}: {entry["pixels"]} labeled of {entry["queried"]} queried pixels '
          f'stored in {store.root}; resume training with --resume')


if __name__ == '__main__':
    main()
