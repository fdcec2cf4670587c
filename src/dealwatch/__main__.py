"""`python -m dealwatch` runs the CLI."""

from dealwatch.cli import main

main()
