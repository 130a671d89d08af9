"""Label Studio format layer: labeling config, brush RLE, tasks of a query round, exports.

Pure functions, no server. A round exported by :func:`~labor_mmseg.labeling.oracle.export_queries`
becomes Label Studio tasks (:func:`round_tasks`) with the queries as pre-annotations; the
project's JSON export is read back (:func:`read_export`) as answers in the format of
:func:`~labor_mmseg.labeling.oracle.import_answers` (train ids at answered pixels, 255 elsewhere).

Formats (Label Studio docs): the labeling config tags (labelstud.io/tags/brushlabels,
/tags/keypointlabels), the task and export JSON (labelstud.io/guide/task_format), and the brush
RLE: Label Studio's bit-packed run-length code of the flattened RGBA mask image (rle-pack of
thi.ng/umbrella, as in label-studio-converter's ``brush.py``), implemented here.
"""

import hashlib
import json
import math
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

import numpy as np

from .label_store import QUERIED_VOID, write_atomic
from .proposals import Proposals

if TYPE_CHECKING:
    from .oracles.base import RoundRequest

IMAGE_NAME = 'image'  # <Image name=...>: the ``to_name`` of every result
BRUSH_NAME = 'label'  # <BrushLabels name=...>
POINT_NAME = 'point'  # <KeyPointLabels name=...>
POINT_SIZE = 0.5  # keypoint size, percent of the image width
ALPHA_THRESHOLD = 128  # a brush pixel is painted when its alpha is at least this
_RLE_SIZES = (3, 4, 8, 16)  # run-length field widths, the ones Label Studio writes
_MAX_RUN = 1 << 16


class LabelStudioExportError(ValueError):
    """A Label Studio export that cannot be read as answers; the message names task and field."""


@dataclass
class ExportAnswers:
    """What :func:`read_export` read.

    ``answers``: ``{key: uint8 HxW}`` train ids at answered pixels, 255 elsewhere (254 for the
    void label); ``clipped``: per key, painted or pointed pixels outside the query, dropped;
    ``overwritten``: per key, answered pixels a later result of the same annotation relabeled
    with another class; ``missing``: queried keys without an answer (no task, no annotation, or
    every annotation cancelled), sorted; ``annotation_ids``: the winning annotation per key.
    """

    answers: dict[str, np.ndarray]
    clipped: dict[str, int] = field(default_factory=dict)
    overwritten: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    annotation_ids: dict[str, Any] = field(default_factory=dict)


# --- labeling config ---------------------------------------------------------------------------

def _hex(colour: Sequence[int]) -> str:
    if len(colour) != 3 or any(not 0 <= int(c) <= 255 for c in colour):
        raise ValueError(f'palette colours must be 3 values in 0..255, got {colour!r}')
    return '#' + ''.join(f'{int(c):02x}' for c in colour)


def labeling_config(classes: Sequence[str], palette: Sequence[Sequence[int]],
                    void_label: str | None = None, points: bool | None = None) -> str:
    """Label Studio labeling-config XML for answering queries of ``classes``.

    An ``<Image name="image" value="$image"/>`` and the tool the queries need, ``toName=
    "image"``: ``<KeyPointLabels name="point">`` for point queries (``points``),
    ``<BrushLabels name="label">`` for regions, both when ``points`` is None; each with one
    ``<Label value=class background="#rrggbb"/>`` per class in order (names XML-escaped), plus
    ``void_label`` in black if given (answers "no class", stored as 254). ValueError when
    ``classes`` and ``palette`` differ in length or a name repeats.
    """
    names = list(classes) + ([void_label] if void_label is not None else [])
    colours = list(palette) + ([(0, 0, 0)] if void_label is not None else [])
    if len(classes) != len(palette):
        raise ValueError(f'{len(classes)} classes but {len(palette)} palette colours')
    if len(set(names)) != len(names) or not all(names):
        raise ValueError(f'class names must be unique and non-empty: {names}')
    labels = ''.join(f'    <Label value={quoteattr(str(n))} background="{_hex(c)}"/>\n'
                     for n, c in zip(names, colours, strict=True))
    tools = ''
    if not points:
        tools += f'  <BrushLabels name="{BRUSH_NAME}" toName="{IMAGE_NAME}">\n{labels}' \
                 '  </BrushLabels>\n'
    if points is None or points:
        tools += (f'  <KeyPointLabels name="{POINT_NAME}" toName="{IMAGE_NAME}" snap="pixel">\n'
                  f'{labels}  </KeyPointLabels>\n')
    return (f'<View>\n  <Image name="{IMAGE_NAME}" value="$image" zoom="true" '
            f'zoomControl="true"/>\n{tools}</View>\n')


# --- brush RLE ---------------------------------------------------------------------------------

def rle_encode(values: np.ndarray) -> list[int]:
    """Label Studio RLE bytes of a flat array of 8-bit values (header: 32-bit count, word size
    8, run-field widths 3/4/8/16; then per run a repeat chunk, a single value as a literal
    chunk). Same bytes as label-studio-converter's ``encode_rle``, trailing pad included."""
    values = np.asarray(values).ravel()
    if values.size and (values.min() < 0 or values.max() > 255):
        raise ValueError('RLE values must be in 0..255')
    ends = np.append(np.flatnonzero(values[1:] != values[:-1]), values.size - 1)
    if not values.size:
        ends = ends[:0]
    return _encode_runs(np.diff(np.append(-1, ends)), values[ends].astype(np.uint8),
                        values.size)


def _encode_runs(lengths: np.ndarray, run_values: np.ndarray, count: int) -> list[int]:
    """RLE bytes of ``count`` values given as runs (``lengths``, ``run_values``)."""
    if count >= 1 << 32:
        raise ValueError(f'{count} values do not fit the 32-bit RLE count')
    parts = [f'{count:032b}', f'{7:05b}', ''.join(f'{s - 1:04b}' for s in _RLE_SIZES)]
    for n, v in zip(lengths.tolist(), run_values.tolist(), strict=True):
        if n == 1:
            parts.append(f'000000{v:08b}')
        elif n <= 8:
            parts.append(f'100{n - 1:03b}{v:08b}')
        elif n <= 16:
            parts.append(f'101{n - 1:04b}{v:08b}')
        elif n <= 256:
            parts.append(f'110{n - 1:08b}{v:08b}')
        else:
            while n > _MAX_RUN:
                parts.append(f'111{_MAX_RUN - 1:016b}{v:08b}')
                n -= _MAX_RUN
            parts.append(f'111{n - 1:016b}{v:08b}')
    bits = ''.join(parts)
    bits += '0' * (8 - len(bits) % 8)  # as Label Studio's encoder: always 1..8 pad bits
    packed = np.packbits(np.frombuffer(bits.encode(), np.uint8) - ord('0'))
    return packed.tolist()


def rle_decode(rle: Sequence[int]) -> np.ndarray:
    """The flat uint8 values of Label Studio RLE bytes (any run-field widths, words of at most
    8 bits). ValueError when the bytes are not 0..255, truncated, or runs pass the count."""
    data = np.asarray(rle)
    if data.ndim != 1 or (data.size and (data.min() < 0 or data.max() > 255)):
        raise ValueError('RLE must be a flat list of bytes 0..255')
    bits = np.unpackbits(data.astype(np.uint8)).astype(np.int64)
    weights = [1 << np.arange(n - 1, -1, -1, dtype=np.int64) for n in range(33)]
    pos = 0

    def read(n: int) -> int:
        nonlocal pos
        if pos + n > bits.size:
            raise ValueError(f'RLE truncated at bit {pos} of {bits.size}')
        value = int(bits[pos:pos + n] @ weights[n])
        pos += n
        return value

    num = read(32)
    word = read(5) + 1
    sizes = [read(4) + 1 for _ in range(4)]
    if word > 8:
        raise ValueError(f'RLE word size {word} bits does not fit uint8 values')
    out = np.zeros(num, np.uint8)
    i = 0
    while i < num:
        repeat = read(1)
        j = i + 1 + read(sizes[read(2)])
        if j > num:
            raise ValueError(f'RLE run to {j} passes the count {num}')
        if repeat:
            out[i:j] = read(word)
        else:
            k = (j - i) * word
            if pos + k > bits.size:
                raise ValueError(f'RLE truncated at bit {pos} of {bits.size}')
            out[i:j] = bits[pos:pos + k].reshape(j - i, word) @ weights[word]
            pos += k
        i = j
    return out


def brush_to_rle(mask: np.ndarray) -> list[int]:
    """Label Studio brush RLE of a 2-D boolean mask: RGBA image, all four channels 255 where
    ``mask`` is true and 0 elsewhere, rows top to bottom (encoded from the mask's runs, four
    values a pixel, without building the RGBA image)."""
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise ValueError(f'brush mask must be 2-D, got shape {mask.shape}')
    flat = mask.astype(bool).ravel()
    ends = np.append(np.flatnonzero(flat[1:] != flat[:-1]), flat.size - 1)[:flat.size]
    lengths = np.diff(np.append(-1, ends)) * 4
    return _encode_runs(lengths, flat[ends].astype(np.uint8) * 255, flat.size * 4)


def rle_to_brush(rle: Sequence[int], height: int, width: int) -> np.ndarray:
    """The painted pixels (alpha >= 128) of Label Studio brush RLE as an ``height x width``
    boolean mask. ValueError when the RLE is invalid or not of ``height*width*4`` values."""
    values = rle_decode(rle)
    if values.size != height * width * 4:
        raise ValueError(f'brush RLE holds {values.size} values, an RGBA image of '
                         f'{height}x{width} has {height * width * 4}')
    return values.reshape(height, width, 4)[..., 3] >= ALPHA_THRESHOLD


# --- tasks -------------------------------------------------------------------------------------

def _result_id(*parts: Any) -> str:
    return hashlib.sha1('/'.join(map(str, parts)).encode()).hexdigest()[:10]


def model_version(strategy: str) -> str:
    """The ``model_version`` of a run's pre-annotations: one for all its rounds, since Label
    Studio shows a project only the predictions of its ``model_version``."""
    return f'labor-{strategy}'


def proposal_results(proposals: Proposals, classes: Sequence[str],
                     id_prefix: str) -> list[dict[str, Any]]:
    """A's proposals as Label Studio results a person corrects: one ``keypointlabels`` result
    per point (at the pixel centre, in percent) or one ``brushlabels`` result per region,
    each labeled with A's class. Result ids are stable (``id_prefix`` and the index)."""
    height, width = proposals.ids.shape
    common = dict(original_width=width, original_height=height, image_rotation=0,
                  to_name=IMAGE_NAME)
    results = []
    if proposals.points:
        ys, xs = np.nonzero(proposals.ids)
        order = np.argsort(proposals.ids[ys, xs])
        for i, (y, x) in enumerate(zip(ys[order].tolist(), xs[order].tolist(), strict=True)):
            results.append(dict(
                common, id=_result_id(id_prefix, 'point', i), from_name=POINT_NAME,
                type='keypointlabels',
                value=dict(x=(x + 0.5) / width * 100, y=(y + 0.5) / height * 100,
                           width=POINT_SIZE, keypointlabels=[classes[proposals.classes[i]]])))
        return results
    for i, c in enumerate(proposals.classes.tolist()):
        results.append(dict(
            common, id=_result_id(id_prefix, 'brush', i), from_name=BRUSH_NAME,
            type='brushlabels', value=dict(format='rle', rle=brush_to_rle(proposals.mask(i)),
                                           brushlabels=[classes[c]])))
    return results


def round_tasks(request: 'RoundRequest', image_url: Callable[[str, str], str],
                keys: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """One Label Studio task per queried image of ``request`` (or of those of ``keys``), in
    key order.

    ``data``: ``image`` (``image_url(key, image_path)``), ``labor_run`` (the run's id),
    ``labor_round`` (the round's number, 1-based) and ``labor_key``; one prediction
    (:func:`model_version`) pre-annotating the query with A's proposals
    (:func:`proposal_results`). Images without a query get no task.
    """
    version = model_version(request.strategy)
    return [dict(data=dict(image=image_url(key, request.image_paths.get(key, '')),
                           labor_run=request.run_id, labor_round=request.number,
                           labor_key=key),
                 predictions=[dict(model_version=version, result=proposal_results(
                     request.proposals[key], request.classes,
                     f'{request.run_id}/{request.number}/{key}'))])
            for key in sorted(request.queries if keys is None else keys)
            if request.queries[key].any()]


IMAGE_URL = '/data/local-files/?d={path}'  # Label Studio's local files, document root /
VOID_LABEL = 'void (no class)'  # the label for a queried pixel of no class (stored as 254)


def project_config(request: 'RoundRequest') -> str:
    """The labeling config of a round's project: its classes and colours, the void label and
    only the tool its queries need."""
    return labeling_config(request.classes, request.palette, VOID_LABEL, request.points)


def export_round(request: 'RoundRequest', image_url: str = IMAGE_URL) -> Path:
    """Write ``request``'s round as a Label Studio project's files, in
    ``<query_dir>/label_studio/``: ``tasks.json`` (:func:`round_tasks`, to import) and
    ``labeling_config.xml`` (:func:`project_config`); return the folder.

    ``image_url`` is a format string of each task's image: ``{path}`` (the image's absolute
    path without its leading ``/``: Label Studio's local-files path under a document root of
    ``/``), ``{name}`` (its file name) and ``{key}``.
    """
    def url(key: str, path: str) -> str:
        return image_url.format(key=key, path=str(path).lstrip('/'), name=Path(path).name)

    out = Path(request.query_dir) / 'label_studio'
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / 'labeling_config.xml', project_config(request).encode())
    write_atomic(out / 'tasks.json', json.dumps(round_tasks(request, url), indent=1).encode())
    return out


# --- reading an export -------------------------------------------------------------------------

def _load(export_json: str | os.PathLike | list) -> list:
    if isinstance(export_json, list):
        return export_json
    text, name = None, None
    if isinstance(export_json, str) and export_json.lstrip()[:1] in ('[', '{'):
        text, name = export_json, 'export'
    else:
        name = str(export_json)
        text = Path(export_json).read_text()
    try:
        tasks = json.loads(text)
    except json.JSONDecodeError as err:
        raise LabelStudioExportError(f'{name}: not valid JSON (truncated?): {err}') from None
    if not isinstance(tasks, list):
        raise LabelStudioExportError(f'{name}: a Label Studio JSON export is a list of tasks, '
                                     f'got {type(tasks).__name__}')
    return tasks


def _time(value: Any, where: str) -> datetime:
    if value is None:
        return datetime.min.replace(tzinfo=timezone.utc)
    try:
        stamp = datetime.fromisoformat(str(value).replace('Z', '+00:00'))
    except ValueError:
        raise LabelStudioExportError(f'{where}: updated_at {value!r} is not an ISO time') from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def _latest(task: dict, where: str) -> dict | None:
    """The annotation that counts: not cancelled, latest ``updated_at`` (else ``created_at``),
    then highest ``id``; None when there is none."""
    annotations = task.get('annotations', [])
    if not isinstance(annotations, list):
        raise LabelStudioExportError(f'{where}: field "annotations" is not a list')
    live = []
    for a in annotations:
        if not isinstance(a, dict):
            raise LabelStudioExportError(f'{where}: field "annotations" holds a non-object')
        if a.get('was_cancelled'):
            continue
        here = f'{where}, annotation {a.get("id")}'
        stamp = _time(a.get('updated_at', a.get('created_at')), here)
        ident = a.get('id')
        live.append(((stamp, ident if isinstance(ident, int | float) else -math.inf), a))
    return max(live, key=lambda t: t[0])[1] if live else None


def _int_field(result: dict, name: str, where: str) -> int:
    value = result.get(name)
    if not isinstance(value, int | float) or value != int(value):
        raise LabelStudioExportError(f'{where}: field "{name}" is {value!r}, not an integer')
    return int(value)


def read_export(export_json: str | os.PathLike | list, classes: Sequence[str],
                queries: Mapping[str, np.ndarray], run_id: str | None = None,
                number: int | None = None, void_label: str | None = None) -> ExportAnswers:
    """Answers to ``queries`` from a Label Studio JSON export of :func:`round_tasks` tasks.

    ``export_json``: the export file, its text, or the parsed list. Per task the annotation
    that counts is the latest not cancelled one (``updated_at``, then ``id``); its brush
    regions (class at each painted pixel) and keypoints (class at the pixel under the point)
    become train ids (``void_label`` becomes 254), later results overwriting earlier ones;
    painted pixels outside the query are dropped and counted. Raises
    :class:`LabelStudioExportError` naming the task and field for: invalid or truncated JSON,
    a task of another run (``data.labor_run`` other than ``run_id``) or round (``data.
    labor_round`` other than ``number``, else the first task's), both ids named, a task
    without ``data.labor_key`` or with a key not queried, two tasks of one key, an annotation
    with an empty ``result``, an unknown result ``type``/``from_name``/``to_name`` or class
    name, a region with not exactly one class or with no pixel inside the query,
    ``original_width``/``original_height`` other than the query mask's, a rotated image,
    invalid brush RLE, or a point outside the image. Queries without a task or a live
    annotation are listed in ``missing``.
    """
    tasks = _load(export_json)
    names = {n: i for i, n in enumerate(classes)}
    if void_label is not None:
        names[void_label] = QUERIED_VOID
    seen: dict[str, Any] = {}
    out = ExportAnswers(answers={})
    for n, task in enumerate(tasks):
        if not isinstance(task, dict):
            raise LabelStudioExportError(f'task #{n}: not a JSON object')
        where = f'task {task.get("id", f"#{n}")}'
        data = task.get('data')
        if not isinstance(data, dict) or 'labor_key' not in data:
            raise LabelStudioExportError(f'{where}: field "data.labor_key" is missing')
        if run_id is not None and data.get('labor_run') != run_id:
            raise LabelStudioExportError(
                f'{where}: field "data.labor_run" is {data.get("labor_run")!r}, this run is '
                f'{run_id!r}: the task belongs to another run')
        task_round = data.get('labor_round')
        if number is None:
            number = task_round
        elif task_round != number:
            raise LabelStudioExportError(f'{where}: field "data.labor_round" is {task_round!r}, '
                                         f'the round asked is {number!r} (another round)')
        key = data['labor_key']
        if key not in queries:
            raise LabelStudioExportError(f'{where}: field "data.labor_key" {key!r} is not a '
                                         f'queried image of this round')
        if key in seen:
            raise LabelStudioExportError(f'{where}: field "data.labor_key" {key!r} repeats '
                                         f'task {seen[key]} (duplicate task: delete one)')
        seen[key] = task.get('id', f'#{n}')
        annotation = _latest(task, where)
        if annotation is None:
            continue
        where = f'{where}, annotation {annotation.get("id")}'
        results = annotation.get('result')
        if not isinstance(results, list) or not results:
            raise LabelStudioExportError(f'{where}: field "result" is empty: nothing was '
                                         f'labeled (skip the task to leave it unanswered)')
        mask = np.asarray(queries[key], dtype=bool)
        labels = np.full(mask.shape, 255, np.uint8)
        clipped = overwritten = 0
        for r, result in enumerate(results):
            here = f'{where}, result {result.get("id", r)}'
            painted, cls = _result_pixels(result, mask.shape, names, here)
            inside = painted & mask
            if painted.any() and not inside.any():
                raise LabelStudioExportError(
                    f'{here} ({data["labor_key"]}): labels {int(painted.sum())} pixels, none of '
                    'them queried (a brush outside the queried pixels)')
            clipped += int((painted & ~mask).sum())
            overwritten += int((inside & (labels != 255) & (labels != cls)).sum())
            labels[inside] = cls
        out.answers[key] = labels
        out.clipped[key] = clipped
        out.overwritten[key] = overwritten
        out.annotation_ids[key] = annotation.get('id')
    out.missing = sorted(k for k in queries if k not in out.answers)
    return out


def _result_pixels(result: Any, shape: tuple[int, int], names: Mapping[str, int],
                   where: str) -> tuple[np.ndarray, int]:
    """The pixels (HxW bool) and class id one export result labels."""
    if not isinstance(result, dict):
        raise LabelStudioExportError(f'{where}: not a JSON object')
    kind = result.get('type')
    expected = {'brushlabels': BRUSH_NAME, 'keypointlabels': POINT_NAME}
    if kind not in expected:
        raise LabelStudioExportError(f'{where}: field "type" is {kind!r}, expected one of '
                                     f'{sorted(expected)}')
    if result.get('from_name') != expected[kind] or result.get('to_name') != IMAGE_NAME:
        raise LabelStudioExportError(
            f'{where}: field "from_name"/"to_name" is {result.get("from_name")!r}/'
            f'{result.get("to_name")!r}, expected {expected[kind]!r}/{IMAGE_NAME!r}')
    height, width = shape
    got = (_int_field(result, 'original_height', where), _int_field(result, 'original_width',
                                                                     where))
    if got != (height, width):
        raise LabelStudioExportError(f'{where}: field "original_width"/"original_height" is '
                                     f'{got[1]}x{got[0]}, the query mask {width}x{height}')
    if result.get('image_rotation', 0) not in (0, None):
        raise LabelStudioExportError(f'{where}: field "image_rotation" is '
                                     f'{result["image_rotation"]!r}; only 0 is supported')
    value = result.get('value')
    if not isinstance(value, dict):
        raise LabelStudioExportError(f'{where}: field "value" is missing')
    chosen = value.get(kind)
    if not isinstance(chosen, list) or len(chosen) != 1:
        raise LabelStudioExportError(f'{where}: field "value.{kind}" is {chosen!r}; a region '
                                     f'needs exactly one class')
    if chosen[0] not in names:
        raise LabelStudioExportError(f'{where}: field "value.{kind}" class {chosen[0]!r} is '
                                     f'not one of the {len(names)} known classes')
    cls = names[chosen[0]]
    if kind == 'brushlabels':
        if value.get('format') != 'rle':
            raise LabelStudioExportError(f'{where}: field "value.format" is '
                                         f'{value.get("format")!r}, expected "rle"')
        try:
            return rle_to_brush(value.get('rle'), height, width), cls
        except (ValueError, TypeError) as err:
            raise LabelStudioExportError(f'{where}: field "value.rle": {err}') from None
    x, y = value.get('x'), value.get('y')
    if not all(isinstance(v, int | float) and 0 <= v <= 100 for v in (x, y)):
        raise LabelStudioExportError(f'{where}: field "value.x"/"value.y" is {x!r}/{y!r}, '
                                     f'not a point inside the image (0..100 percent)')
    painted = np.zeros(shape, bool)
    painted[min(int(y / 100 * height), height - 1), min(int(x / 100 * width), width - 1)] = True
    return painted, cls
