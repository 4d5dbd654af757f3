"""``python -m azconf``."""

from azconf.cli.entry import main

main()
