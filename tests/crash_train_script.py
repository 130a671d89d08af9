"""``tools/train.py`` that SIGKILLs itself at a chosen point (for ``test_resume_crash.py``).

    python tests/crash_train_script.py --kill-after-iter N -- <tools/train.py arguments>
    python tests/crash_train_script.py --kill-in-label-write N -- <tools/train.py arguments>

``--kill-after-iter N`` kills the process once iteration N and all its hooks are done (the
selection round and the checkpoint of that iteration included). ``--kill-in-label-write N``
kills it during the N-th label PNG this process writes to the label store: the temporary file
holds half of the PNG and is never renamed, as when a machine dies in the middle of a write.
Both points are counted, not timed, so the kill lands at the same place on every run.
"""
import argparse
import os
import runpy
import signal
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from mmengine.runner import IterBasedTrainLoop

from labor_mmseg.labeling import label_store

REPO = Path(__file__).resolve().parents[1]


def die() -> None:
    """SIGKILL this process: no exception, no ``finally``, no atexit handler runs."""
    os.kill(os.getpid(), signal.SIGKILL)


def kill_after_iter(last: int) -> None:
    """Die when the train loop has finished iteration ``last``."""
    run_iter = IterBasedTrainLoop.run_iter

    def run_iter_then_die(loop: IterBasedTrainLoop, data_batch) -> None:
        run_iter(loop, data_batch)
        if loop.iter == last:
            die()

    IterBasedTrainLoop.run_iter = run_iter_then_die


def kill_in_label_write(number: int) -> None:
    """Die half-way through writing the ``number``-th label PNG."""
    write_png = label_store.write_png
    written = 0

    def write_png_or_die(path: Path, image: np.ndarray) -> None:
        nonlocal written
        written += 1
        if written < number:
            write_png(path, image)
            return
        data = cv2.imencode('.png', image)[1].tobytes()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, _ = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
        os.write(fd, data[:len(data) // 2])
        os.fsync(fd)
        die()

    label_store.write_png = write_png_or_die


def main() -> None:
    """Install the kill point, then run ``tools/train.py`` with the remaining arguments."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    point = parser.add_mutually_exclusive_group(required=True)
    point.add_argument('--kill-after-iter', type=int)
    point.add_argument('--kill-in-label-write', type=int)
    args, train_args = parser.parse_known_args()
    if args.kill_after_iter is not None:
        kill_after_iter(args.kill_after_iter)
    else:
        kill_in_label_write(args.kill_in_label_write)
    train = REPO / 'tools' / 'train.py'
    sys.argv = [str(train), *(a for a in train_args if a != '--')]
    runpy.run_path(str(train), run_name='__main__')


if __name__ == '__main__':
    main()
