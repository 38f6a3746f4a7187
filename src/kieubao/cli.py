"""The ``kieubao`` command: the platform's commands and each domain's."""

import typer

from kieubao.domains import DOMAINS, modules
from kieubao.platform import cli as platform_cli

app = typer.Typer(
    help="kieubao: citizens abroad, protection, crisis and community work.", no_args_is_help=True
)
platform_cli.register(app)


def _mount_domains() -> None:
    from kieubao import demo

    app.add_typer(demo.app, name="demo")
    for module, name in zip(modules("cli"), DOMAINS, strict=False):
        app.add_typer(module.app, name=name)
    modules("jobs")  # the worker must know every job


def main() -> None:
    _mount_domains()
    app()
