"""A person answers offline, in any tool: the round's queries as files, the run stops."""
from ...registry import ORACLES
from ..label_studio import IMAGE_URL, export_round
from .base import AnswersPending, Oracle, RoundRequest


@ORACLES.register_module()
class FileOracle(Oracle):
    """Leaves the round's queries for a person and stops the run until they are imported.

    The round's queries are already saved in ``request.query_dir`` (``queries.json``,
    ``masks/<key>.png``: 255 where a label is asked; ``round.json``); this adds them as a
    Label Studio project's files (``label_studio/tasks.json``, ``labeling_config.xml``; images
    by ``image_url``, a format string of ``{path}``: absolute, without its leading ``/``,
    ``{name}`` and ``{key}``; default Label Studio's local files under a document root of
    ``/``). ``tools/import_answers.py`` stores the answers (answer PNGs, or the project's
    JSON export), bound to this run and round.
    """

    person = True
    offline = True
    stats_name = 'human'

    def __init__(self, image_url: str = IMAGE_URL) -> None:
        self.image_url = image_url

    def ask(self, request: RoundRequest) -> dict:
        """Write the Label Studio files and raise :class:`AnswersPending` with what to do."""
        export_round(request, self.image_url)
        work_dir = request.query_dir.parents[1]
        raise AnswersPending(
            f'selection round {request.number}: queries for a person in {request.query_dir}; '
            f'training stopped at iter {request.iteration}. Answer them as <answers>/<key>.png '
            f'(train ids, 255 where unsure) or in Label Studio ({request.query_dir}/'
            'label_studio: tasks.json, labeling_config.xml), run python tools/import_answers.py '
            f'{work_dir} <answers dir or Label Studio JSON export>, then resume training: '
            f'{request.resume_command}')
