"""Import a person's answers to a selection round's queries into the label store.

With ``oracle='human'`` a selection hook exports its queries to
``<work_dir>/queries/round_<k>/`` (``queries.json``, ``masks/<key>.png``: 255 where a label
is asked), saves a checkpoint and stops training. Answer each query as ``<answers>/<key>.png``
(class train ids at the asked pixels, 254 where the pixel has no class, 255 where unsure), or
in Label Studio from the
round's ``label_studio/tasks.json`` and ``labeling_config.xml`` and export the project as JSON;
then::

    python tools/import_answers.py <work_dir> <answers dir | export.json> [--round k]
    python tools/train.py <config> --work-dir <work_dir> --resume
"""
import argparse
from pathlib import Path

from labor_mmseg.labeling import StoreInUseError
from labor_mmseg.labeling.label_studio import LabelStudioExportError
from labor_mmseg.labeling.selection_round import (
    exported_rounds,
    import_label_studio_answers,
    import_person_answers,
)


def main() -> None:
    """Read the answers, check them against the queries, store them and record the round."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_dir', type=Path, help='the training work dir')
    parser.add_argument('answers', type=Path, help='folder of answer PNGs (<key>.png) or a '
                        "Label Studio JSON export of the round's tasks")
    parser.add_argument('--allow-missing', action='store_true',
                        help='Label Studio: store the answered images when others have no '
                        'annotation (they stay unlabeled, a later round may ask them)')
    parser.add_argument('--round', type=int, help='round number (default: the last exported)')
    args = parser.parse_args()
    query_root = args.work_dir / 'queries'
    exported = exported_rounds(query_root)
    if args.round is None and not exported:
        raise SystemExit(f'{query_root}: no exported queries; nothing was stored')
    query_dir = exported[-1] if args.round is None else query_root / f'round_{args.round}'
    if query_dir not in exported:
        names = ', '.join(p.name for p in exported) or 'none'
        raise SystemExit(f'{query_dir}: round {args.round} was not exported (exported: {names}); '
                         'nothing was stored')
    if not args.answers.exists():
        raise SystemExit(f'{args.answers}: no such answer folder or Label Studio export; '
                         'nothing was stored')
    try:
        if args.answers.is_file():
            entry, read = import_label_studio_answers(query_dir, args.answers,
                                                      args.allow_missing)
            clipped = sum(read.clipped.values())
            print(f'{args.answers}: {len(read.answers)} images answered (the latest annotation '
                  f'of each task); {clipped} painted pixels outside the queries dropped; '
                  f'unanswered: {", ".join(read.missing) or "none"}')
        else:
            entry = import_person_answers(query_dir, args.answers)
    except (LabelStudioExportError, StoreInUseError) as err:
        raise SystemExit(f'{args.answers}: {err}; nothing was stored') from None
    except (OSError, ValueError) as err:  # the round already stored, an unreadable answer
        raise SystemExit(f'{args.answers}: {err}') from None
    print(f'{query_dir.name}: {entry["pixels"]} labeled of {entry["queried"]} queried pixels '
          f'stored; resume training with --resume')


if __name__ == '__main__':
    main()
