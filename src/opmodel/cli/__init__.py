"""Command-line interface: a thin adapter that parses arguments, calls the library and formats."""
