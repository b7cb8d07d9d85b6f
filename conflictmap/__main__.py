"""`python -m conflictmap ...`: the same command line as the `conflictmap` script."""

from conflictmap.cli.app import main

main()
