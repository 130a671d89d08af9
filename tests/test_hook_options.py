"""Hook options name a custom hook by type, so an ablation survives reordered hooks."""
import pytest

from labor_mmseg.utils.hook_options import hook_cfg_options

HOOKS = [dict(type='DiscrepancyLossHook', weight=1.0),
         dict(type='PPLSelectionHook', budget=40, rounds=[500, 600])]


@pytest.mark.parametrize('hooks', [HOOKS, HOOKS[::-1]], ids=['as shipped', 'reordered'])
def test_an_option_lands_on_the_hook_of_its_type_wherever_it_sits(hooks):
    options = hook_cfg_options(hooks, {'PPLSelectionHook.boundary_radius': 0})
    index = next(i for i, h in enumerate(hooks) if h['type'] == 'PPLSelectionHook')
    assert options == {f'custom_hooks.{index}.boundary_radius': 0}


def test_a_base_class_names_its_subclasses():
    hooks = [*HOOKS, dict(type='ActiveSelectionHook', strategy='random')]
    assert hook_cfg_options(hooks, {'ActiveSelectionHook.rounds': [500]}) == {
        'custom_hooks.1.rounds': [500], 'custom_hooks.2.rounds': [500]}


@pytest.mark.parametrize('key, message', [
    ('SPLSelectionHook.budget', r"no SPLSelectionHook among its custom_hooks \['Discrepancy"),
    ('NoSuchHook.budget', "no hook type 'NoSuchHook' is registered"),
    ('PPLSelectionHook', r'<HookType>\.<field>'),
])
def test_an_option_that_matches_no_hook_is_refused(key, message):
    with pytest.raises(ValueError, match=message):
        hook_cfg_options(HOOKS, {key: 0})
