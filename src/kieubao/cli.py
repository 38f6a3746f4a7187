"""The ``kieubao`` command: the platform's commands and each domain's."""

from functools import cache

import typer

from kieubao.domains import install_templates, load_models, modules
from kieubao.platform import cli as platform_cli


@cache
def build() -> typer.Typer:
    from kieubao import demo, drill

    app = typer.Typer(
        help="kieubao: citizens abroad, protection, crisis and community work.",
        no_args_is_help=True,
    )
    platform_cli.register(app)
    app.add_typer(demo.app, name="demo")
    app.command("drill")(drill.drill)
    for module in modules("cli"):
        # A domain's commands go under its name unless it names the group for its users.
        app.add_typer(module.app, name=getattr(module, "NAME", module.__name__.split(".")[1]))
    modules("jobs")  # the worker must know every job
    modules("retention")  # and every retention rule
    install_templates()  # and jobs and commands render messages
    load_models()  # and key rotation every encrypted column
    return app


def main() -> None:
    build()()
