"""One module per command (or small group of commands): its typer options and the function that runs it.

Only typer, the standard library and :mod:`azconf.errors` are imported at the top of these modules;
the core is imported inside the functions, so that ``azconf --help`` stays as cheap as Typer itself.
"""
