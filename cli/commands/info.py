"""conflictmap info: what the inputs hold and what is wrong with them."""

from conflictmap.cli.options import dataset_command, load
from conflictmap.cli.output import emit_object


@dataset_command()
def info(inputs, fmt):
    """Describe the inputs: districts (count, km², CRS, bbox, fields), control log (rows, dates, actors), problems.

    A districts file whose features share ids is described as it is: the shared ids, whether the names agree
    within each, and which field or option would give one district per id.

    Example: conflictmap info -d districts.geojson -c control.csv
    """
    from conflictmap.figures import describe

    emit_object(describe(load(inputs, describe=True)), fmt, title="conflictmap info")


def register(app):
    app.command("info")(info)
