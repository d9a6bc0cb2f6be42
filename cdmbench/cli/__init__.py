"""The ``cdmbench`` command line: the command registry and the Hydra application every command runs as."""

from cdmbench.cli.commands import COMMANDS, Command
from cdmbench.cli.main import main

__all__ = ["COMMANDS", "Command", "main"]
