"""The conflictmap command line: a thin Typer layer over the conflictmap library."""
