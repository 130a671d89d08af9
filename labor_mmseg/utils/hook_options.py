"""Options for custom hooks named by hook type, so an ablation survives reordered hooks."""
from typing import Any

from mmseg.registry import HOOKS


def _hook_class(hook_type: str | type, where: str) -> type:
    """The registered class of ``hook_type``; ValueError naming ``where`` if there is none."""
    if isinstance(hook_type, type):
        return hook_type
    cls = HOOKS.get(hook_type)
    if cls is None:
        raise ValueError(f'{where}: no hook type {hook_type!r} is registered (is its module in '
                         'custom_imports?)')
    return cls


def hook_cfg_options(custom_hooks: list[dict], options: dict[str, Any]) -> dict[str, Any]:
    """MMEngine cfg options (``custom_hooks.<i>.<field>``) for ``options`` named by type.

    ``options`` maps ``'<HookType>.<field>'`` to a value, applied to every hook of
    ``custom_hooks`` whose class is ``HookType`` or a subclass of it (``ActiveSelectionHook``
    names the SPL and PPL hooks as well). ValueError naming the option when it has no field,
    names no registered type, or matches no hook of the config.
    """
    merged = {}
    for key, value in options.items():
        hook_type, _, field = key.partition('.')
        if not field:
            raise ValueError(f'hook option {key!r}: write it as <HookType>.<field>=<value>')
        wanted = _hook_class(hook_type, f'hook option {key!r}')
        matches = [i for i, hook in enumerate(custom_hooks)
                   if issubclass(_hook_class(hook['type'], f'custom_hooks.{i}.type'), wanted)]
        if not matches:
            types = [hook['type'] for hook in custom_hooks]
            raise ValueError(f'hook option {key!r}: the config has no {hook_type} among its '
                             f'custom_hooks {types}')
        merged.update({f'custom_hooks.{i}.{field}': value for i in matches})
    return merged
