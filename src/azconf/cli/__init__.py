"""The command-line interface: a Typer app whose commands parse arguments and call the core.

Commands import the core inside their bodies so that ``azconf --help`` stays as cheap as Typer itself.
"""
