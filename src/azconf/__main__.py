"""``python -m azconf``."""

from azconf.cli.app import main

main()
