"""Global flags set by the app callback (--debug, --quiet, --verbose)."""

debug = False
quiet = False
verbose = False
