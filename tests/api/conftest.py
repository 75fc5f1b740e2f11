"""The API's tests share the command-line tests' worker process."""

from tests.cli.conftest import worker_process

__all__ = ["worker_process"]
