"""``python -m kms.cli``."""

from kms.cli import main

main()
