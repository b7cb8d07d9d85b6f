"""Global flags set by the app callback (--debug, --quiet, --verbose), and whether the app is its own process."""

debug = False
quiet = False
verbose = False
own_process = False  # set by cli.app.main (the conflictmap script, python -m conflictmap); not under CliRunner
