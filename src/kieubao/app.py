"""Builds the application: the platform's shell with each domain's API and pages mounted."""

import gc
import importlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from kieubao.domains import install_templates, modules
from kieubao.platform import access_pages, deps, lazy, openapi, web
from kieubao.platform import api as platform_api
from kieubao.platform import pages as platform_pages


def create_app() -> FastAPI:
    app = FastAPI(
        title="kieubao",
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        description="Citizens abroad, protection, early warning and community work.",
        # No OpenTelemetry provider is configured here: FastAPI would still look for one in
        # the environment on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    web.install(app)
    install_templates()
    # FastAPI tries its ~300 routes one by one, each try far from free: the public forms
    # that must hold a surge are tried first.
    for pages in modules("pages"):
        if (surge_router := getattr(pages, "surge_router", None)) is not None:
            app.include_router(surge_router)
    for api in modules("api"):
        if (surge_router := getattr(api, "surge_router", None)) is not None:
            app.include_router(surge_router, prefix="/api/v1")
    app.include_router(platform_pages.router)
    app.include_router(access_pages.router)  # break-glass, across the domains' records
    app.include_router(platform_api.router, prefix="/api/v1")
    for api in modules("api"):
        app.include_router(api.router, prefix="/api/v1")
    for hooks in modules("hooks"):
        app.include_router(hooks.router)  # webhooks at the addresses providers are given
    for pages in modules("pages"):
        domain = importlib.import_module(pages.__name__.rsplit(".", 1)[0])
        folder = Path(str(domain.__file__)).parent
        if (folder / "static").is_dir():
            name = domain.__name__.rsplit(".", 1)[1]
            app.mount(f"/static/{name}", StaticFiles(directory=folder / "static"), name=name)
        app.include_router(pages.router, include_in_schema=False)
    # After the domains' own static folders, which it would otherwise hide.
    app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")
    modules("jobs")
    # Every retention rule registered: the record of processing shows them as configured.
    modules("retention")
    deps.check_declared(app)
    openapi.install(app)
    return app


def served() -> FastAPI:
    """The app as a server process runs it. What is built at start, and what is built once
    later (``lazy.Once``), lives as long as the process: it is moved out of the garbage
    collector's way, whose full collections would otherwise walk it all and stop every
    request while they do, for hundreds of milliseconds under load."""
    app = create_app()
    lazy.freeze_when_built = True
    gc.collect()
    gc.freeze()
    return app
