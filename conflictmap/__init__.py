"""conflictmap: territorial control analysis.

Kept import-light on purpose: `conflictmap --help` imports this package and
must not pull in geopandas, pandas or pyogrio.

The command line is the subpackage `conflictmap.cli`. The wheel installs it
there; in a source checkout it is the top-level ``cli/`` folder, which the
package path below reaches (the wheel has ``conflictmap/cli`` and never needs
it, so an installed copy never looks beside itself).
"""

import os as _os

__version__ = "0.1.0"

_here = _os.path.dirname(__file__)
_checkout = _os.path.dirname(_here)
if not _os.path.isdir(_os.path.join(_here, "cli")) and _os.path.isfile(_os.path.join(_checkout, "cli", "app.py")):
    __path__.append(_checkout)  # noqa: F821 - a package's own __path__
