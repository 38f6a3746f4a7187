"""The registry's pages: the officers' console and the citizens' portal."""

from fastapi import APIRouter

from kieubao.registry.pages.console import router as console_router
from kieubao.registry.pages.imports import router as imports_router
from kieubao.registry.pages.portal import router as portal_router

router = APIRouter(include_in_schema=False)
router.include_router(console_router)
router.include_router(imports_router)
router.include_router(portal_router)
