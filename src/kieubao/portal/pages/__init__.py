"""The public portal's pages: home and country pages, the mission finder, guided help."""

from fastapi import APIRouter

from kieubao.portal.pages.help import router as help_router
from kieubao.portal.pages.home import router as home_router
from kieubao.portal.pages.missions import router as missions_router

router = APIRouter(include_in_schema=False)
router.include_router(home_router)
router.include_router(missions_router)
router.include_router(help_router)
