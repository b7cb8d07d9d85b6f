"""conflictmap: territorial control analysis.

Kept import-light on purpose: `conflictmap --help` imports this package and
must not pull in geopandas, pandas or pyogrio.
"""

__version__ = "0.1.0"
