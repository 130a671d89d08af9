"""``configs/labor/metafile.yaml`` (MMSeg's model index: a collection and one model per config)
and the per-config section ``configs`` of ``configs/labor/README.md``, from the main
label-efficiency table's rows; results are never typed by hand.

``label_efficiency.py`` (beside this module) writes both with its main table, so
``python tools/benchmark/label_efficiency.py --finished-only`` rewrites them from the committed
record without training. Every config in ``configs/labor/`` is listed with what its file says
(method, model A, labels, schedule); a synthetic config of the table gets its measured mIoU, the
others (GTA5 -> Cityscapes, not trained here) have no ``Results``.
"""
from pathlib import Path

import yaml
from mmengine.config import Config
from readme_sections import RESULTS_README, link, miou_text, update_section

METAFILE = Path('configs') / 'labor' / 'metafile.yaml'
SECTION = 'configs'
COLLECTION = 'LabOR'
PAPER = {'Title': 'LabOR: Labeling Only if Required for Domain Adaptive Semantic Segmentation',
         'URL': 'https://arxiv.org/abs/2108.05570'}
# data suffix of a config name -> (source, target) names
DOMAINS = {'synth': ('Synthetic GTA5-like', 'Synthetic Cityscapes-like'),
           'gta2cs': ('GTA5', 'Cityscapes'), 'cs': ('GTA5', 'Cityscapes')}
HEADS = {'DeepLabV2Head': 'DeepLab-v2', 'DepthwiseSeparableASPPHead': 'DeepLabV3+',
         'UPerHead': 'UPerNet', 'OCRHead': 'OCRNet', 'FCNHead': 'FCN',
         'SegformerHead': 'SegFormer'}
MIT = {(32, (2, 2, 2, 2)): 'MiT-B0', (64, (2, 2, 2, 2)): 'MiT-B1', (64, (3, 4, 6, 3)): 'MiT-B2',
       (64, (3, 4, 18, 3)): 'MiT-B3', (64, (3, 8, 27, 3)): 'MiT-B4',
       (64, (3, 6, 40, 3)): 'MiT-B5'}
HOOK_METHODS = {'SPLSelectionHook': 'LabOR-SPL', 'PPLSelectionHook': 'LabOR-PPL'}
STRATEGIES = {'entropy': 'Entropy pixels', 'ripu_regions': 'RIPU regions',
              'ripu_pixels': 'RIPU pixels'}


def backbone_name(backbone: dict) -> str:
    """A backbone as MMSeg's tables name it (``R-101``, ``MiT-B0``), ``-tiny`` where narrowed."""
    if 'depth' in backbone:
        tiny = backbone.get('base_channels', 64) < 64
        return f'R-{backbone["depth"]}' + ('-tiny' if tiny else '')
    if backbone['type'] == 'MixVisionTransformer':
        key = (backbone['embed_dims'], tuple(backbone['num_layers']))
        return MIT.get(key, f'MiT-tiny ({backbone["embed_dims"]} dims)')
    return backbone['type']


def selection_labels(cfg: Config) -> tuple[str, str]:
    """``(method, labels)`` of a config: its selection hook's strategy and budget, or what its
    training set gives (no target label, every target label)."""
    dataset = cfg.train_dataloader.dataset
    hooks = [h for h in cfg.get('custom_hooks', []) if 'budget' in h]
    if hooks:
        hook = hooks[0]
        budget, strategy = hook['budget'], hook.get('strategy')
        points = budget >= 1
        method = HOOK_METHODS.get(hook['type']) or STRATEGIES.get(strategy, strategy)
        if strategy == 'random':
            method = 'Random points' if points else 'Random pixels'
        labels = (f'{budget:g} points / target image' if points
                  else f'{100 * budget:g}% of target pixels')
        oracle = hook.get('oracle') or cfg.get('oracle')
        if (oracle.get('type') if isinstance(oracle, dict) else oracle) == 'LabelStudioOracle':
            labels += ', answered by a person in Label Studio'
        return method, labels
    if dataset.type == 'GTADataset':
        return 'Source only', 'none'
    if dataset.type == 'PairedDataset':
        if dataset.target.type == 'SparseLabelDataset':
            return 'AdaptSeg (UDA)', 'none'
        return 'AdaptSeg + every target label', 'every target label'
    return 'Target full supervision', 'every target label'


def describe(config: Path) -> dict:
    """What a config file trains: data, method, model A, labels, schedule."""
    cfg = Config.fromfile(str(config))
    segmentor = cfg.model.get('segmentor', cfg.model)
    heads = segmentor.decode_head
    head = heads[-1] if isinstance(heads, list) else heads
    source, target = DOMAINS[config.stem.rsplit('_', 1)[1]]
    dataset = cfg.train_dataloader.dataset.type
    data = {'GTADataset': [source], 'PairedDataset': [source, target]}.get(dataset, [target])
    method, labels = selection_labels(cfg)
    return dict(config=config, data=data, target=target, method=method, labels=labels,
                architecture=[backbone_name(segmentor.backbone),
                              HEADS.get(head['type'], head['type'])],
                iterations=cfg.train_cfg.max_iters)


def metafile(repo: Path, configs: list[dict], results: dict[str, dict]) -> dict:
    """MMSeg's metafile content: ``configs`` (:func:`describe`) with ``results`` (summary
    rows of the main table by config name) where measured."""
    models = []
    for c in configs:
        name = c['config'].stem
        model = {'Name': name, 'In Collection': COLLECTION,
                 'Config': c['config'].relative_to(repo).as_posix(),
                 'Metadata': {'Training Data': ' + '.join(c['data']), 'Method': c['method'],
                              'Architecture': c['architecture'], 'Labels': c['labels'],
                              'Iterations': c['iterations']}}
        row = results.get(name)
        if row:
            model['Metadata']['Seeds'] = row['seeds']
            model['Metadata']['Target pixels labeled (%)'] = round(row['labeled_percent'], 2)
            model['Results'] = {'Task': 'Semantic Segmentation', 'Dataset': c['target'],
                                'Metrics': {'mIoU': round(row['mean'], 2),
                                            'mIoU std': round(row['std'], 2)}}
        model.update(Paper=dict(PAPER), Framework='PyTorch')  # copies: no YAML anchors
        models.append(model)
    data = sorted({d for c in configs for d in c['data']})
    collection = {'Name': COLLECTION, 'License': 'Apache License 2.0',
                  'Metadata': {'Training Data': data}, 'Paper': dict(PAPER),
                  'README': RESULTS_README.as_posix(), 'Frameworks': ['PyTorch']}
    return {'Collections': [collection], 'Models': models}


def section(repo: Path, configs: list[dict], results: dict[str, dict]) -> str:
    """The README section: one table per benchmark, every config with its measured mIoU."""
    trained = [c for c in configs if c['target'].startswith('Synthetic')]
    real = [c for c in configs if c not in trained]
    lines = ['Synthetic benchmark (CPU; mIoU on the Cityscapes-like target val, mean ± std over '
             'seeds; "-": not benchmarked):', '',
             '| config | method | A | labels | iterations | target mIoU | seeds |',
             '|---|---|---|---|---:|---|---:|']
    for c in trained:
        row = results.get(c['config'].stem)
        miou = miou_text(row) if row else '-'
        lines.append(f'{cells(repo, c)} {miou} | {row["seeds"] if row else "-"} |')
    lines += ['', 'GTA5 -> Cityscapes (not trained here: no GPU, no dataset; no results):', '',
              '| config | method | A | labels | iterations |', '|---|---|---|---|---:|']
    lines += [cells(repo, c) for c in real]
    return '\n'.join(lines)


def cells(repo: Path, c: dict) -> str:
    """A table row's first cells: config (a link), method, A, labels, iterations."""
    rel = c['config'].relative_to(repo).as_posix()
    return (f'| [{c["config"].name}]({link(repo, SECTION, rel)}) | {c["method"]} | '
            f'{" ".join(c["architecture"])} | {c["labels"]} | {c["iterations"]:,} |')


def write(repo: Path, rows: list[dict], config_of: dict[str, str],
          readme: bool = True) -> None:
    """Write the metafile and (``readme``) the README section from ``rows`` (the main table's
    summary rows; ``config_of`` maps a row's method to its config name)."""
    results = {config_of[r['method']]: r for r in rows}
    files = sorted((repo / 'configs' / 'labor').glob('*.py'))
    order = {name: i for i, name in enumerate(config_of.values())}
    files.sort(key=lambda f: (f.stem not in order, order.get(f.stem, 0), f.stem))
    configs = [describe(f) for f in files]
    header = ('# Written by tools/benchmark/label_efficiency.py (metafile.py) from '
              'benchmarks/label_efficiency.json;\n# never edit by hand. Configs without '
              'Results were not trained here (GTA5 -> Cityscapes).\n')
    text = yaml.safe_dump(metafile(repo, configs, results), sort_keys=False, allow_unicode=True,
                          width=100)
    (repo / METAFILE).write_text(header + text)
    if readme:
        update_section(repo, SECTION, section(repo, configs, results))
