"""The command line: the argument parser, one module per command group, and the runner that
turns an environment's failure into one message and an exit code."""

from catalynx_desktop.cli.parser import build_parser
from catalynx_desktop.cli.runner import run_command

__all__ = ["build_parser", "run_command"]
