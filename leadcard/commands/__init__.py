"""Commands, one module per concern, registered on the one Typer app in `leadcard.cli`."""
