"""One module per ``acting-mirror`` subcommand, each with ``add_parser`` and ``run``."""
