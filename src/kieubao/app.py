"""Builds the application: the platform's shell with each domain's API and pages mounted."""

import importlib
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from kieubao.domains import install_templates, modules
from kieubao.platform import api as platform_api
from kieubao.platform import deps, openapi, web
from kieubao.platform import pages as platform_pages


def create_app() -> FastAPI:
    app = FastAPI(
        title="kieubao",
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        description="Citizens abroad, protection, early warning and community work.",
    )
    web.install(app)
    install_templates()
    app.include_router(platform_pages.router)
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
    deps.check_declared(app)
    openapi.install(app)
    return app
