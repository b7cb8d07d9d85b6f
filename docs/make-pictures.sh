#!/bin/sh
# The README's pictures, made on the bundled Aleppo sample. Run from the repository root:
#   sh docs/make-pictures.sh
# (tests/test_docs.py checks that the README shows these commands and that the pictures are current in size).
set -eu
docs="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"  # no conflictmap.toml here: the commands run on the bundled sample

conflictmap map -o aleppo.html --baseline 2016-11-15 --baseline-actor rebels
chromium --headless --no-sandbox --hide-scrollbars --window-size=1100,640 --screenshot="$docs/interactive-map.png" "file://$work/aleppo.html#date=2016-12-07"

conflictmap animate -o "$docs/offensive.gif" --baseline 2016-11-15 --baseline-actor rebels

conflictmap timeline --by area --every 7d --style changes --plot "$docs/changes.png"
